'use client';
// Files dragged over the chat: a visible drop zone while dragging; dropped files are sent one by
// one. Dropping anywhere else on the page never makes the browser leave the chat to open the file.
import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';

const hasFiles = (e: { dataTransfer: DataTransfer | null }) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

export function DropZone({ enabled, onFiles, children, className }: {
  enabled: boolean;
  onFiles: (files: File[]) => void;
  children: ReactNode;
  className?: string;
}) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);

  useEffect(() => {
    const block = (e: globalThis.DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    window.addEventListener('dragover', block);
    window.addEventListener('drop', block);
    return () => {
      window.removeEventListener('dragover', block);
      window.removeEventListener('drop', block);
    };
  }, []);

  const enter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth.current++;
    setOver(true);
  };
  const overHandler = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = enabled ? 'copy' : 'none';
  };
  const leave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const drop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth.current = 0;
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (enabled && files.length) onFiles(files);
  };

  return (
    <main onDragEnter={enter} onDragOver={overHandler} onDragLeave={leave} onDrop={drop} className={`relative ${className ?? ''}`}>
      {children}
      {over ? (
        <div
          data-testid="drop-zone"
          className="pointer-events-none absolute inset-2 z-30 flex items-center justify-center rounded-2xl border-2 border-dashed border-accent bg-surface/90 p-6 text-center text-lg font-semibold text-ink"
        >
          {enabled ? 'Drop files here to send them' : 'The chat has ended: files cannot be sent'}
        </div>
      ) : null}
    </main>
  );
}
