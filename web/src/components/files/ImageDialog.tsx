'use client';
// An image at full size in a modal dialog (Radix: focus kept inside, Esc or Close closes, focus
// returns to the thumbnail).
import * as Dialog from '@radix-ui/react-dialog';

import { formatSize } from '@/lib/files/format';
import type { FileInfo } from '@/lib/protocol/events';

import { CloseIcon, DownloadIcon } from '../icons';

export function ImageDialog({ file, onClose, returnFocus }: {
  file: FileInfo | null;
  onClose: () => void;
  /** Focused on close (the dialog has no Radix trigger: it opens from any thumbnail). */
  returnFocus: () => HTMLElement | null;
}) {
  return (
    <Dialog.Root open={file !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/80" />
        {file ? (
          <Dialog.Content
            onCloseAutoFocus={(e) => {
              e.preventDefault();
              returnFocus()?.focus();
            }}
            className="fixed inset-2 z-50 flex flex-col gap-2 rounded-2xl bg-surface p-2 text-ink shadow-lg sm:inset-6 sm:p-3">
            <div className="flex items-center gap-2">
              <Dialog.Title className="min-w-0 flex-1 truncate px-1 font-semibold">
                <bdi>{file.name}</bdi>
              </Dialog.Title>
              <Dialog.Description className="shrink-0 text-sm text-muted">{formatSize(file.size)}</Dialog.Description>
              <a href={file.url} download={file.name} className="btn min-h-9 py-1" aria-label={`Download ${file.name}`}>
                <DownloadIcon width={16} height={16} />
                <span className="max-sm:sr-only">Download</span>
              </a>
              <Dialog.Close className="btn min-h-9 py-1" aria-label="Close">
                <CloseIcon width={16} height={16} />
              </Dialog.Close>
            </div>
            <img src={file.url} alt={file.name} className="min-h-0 w-full flex-1 object-contain" />
          </Dialog.Content>
        ) : null}
      </Dialog.Portal>
    </Dialog.Root>
  );
}
