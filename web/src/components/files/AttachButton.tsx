'use client';
// The composer's paperclip: a button that opens the file picker (a hidden <input type=file>);
// every file picked is sent on its own.
import { useRef } from 'react';

import { PaperclipIcon } from '../icons';

export function AttachButton({ disabled, onFiles }: { disabled: boolean; onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        data-testid="file-input"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = ''; // the same file can be picked again
          if (files.length) onFiles(files);
        }}
      />
      <button
        type="button"
        disabled={disabled}
        onClick={() => input.current?.click()}
        aria-label="Attach files"
        title="Attach files (or drop them on the chat, or paste an image)"
        className="btn h-11 w-11 shrink-0 px-0 short:h-10 short:w-10"
      >
        <PaperclipIcon />
      </button>
    </>
  );
}
