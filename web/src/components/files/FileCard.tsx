'use client';
// A file as a card: its icon, name and size, and a Download link (documents, archives, audio);
// or, once the chat ended and the server deleted it, "No longer available".
import { formatSize } from '@/lib/files/format';
import type { FileInfo, FileKind } from '@/lib/protocol/events';

import { ArchiveIcon, DownloadIcon, FileIcon, MicIcon } from '../icons';

export function KindIcon({ kind }: { kind: FileKind }) {
  if (kind === 'archive') return <ArchiveIcon />;
  if (kind === 'voice' || kind === 'audio') return <MicIcon />;
  return <FileIcon />;
}

/** Name (isolated: a right-to-left name cannot reorder what follows) and size. */
export function NameAndSize({ f, id }: { f: FileInfo; id?: string }) {
  return (
    <span className="flex min-w-0 flex-1 flex-col">
      <bdi id={id} className="truncate font-medium" title={f.name}>
        {f.name}
      </bdi>
      <span className="text-xs opacity-85">{formatSize(f.size)}</span>
    </span>
  );
}

export function DownloadLink({ f, mine }: { f: FileInfo; mine: boolean }) {
  return (
    <a
      href={f.url}
      download={f.name}
      aria-label={`Download ${f.name}`}
      className={`inline-flex min-h-9 shrink-0 items-center gap-1 rounded-lg px-2 text-sm font-medium underline-offset-2 hover:underline ${mine ? 'text-link-mine' : 'text-link-theirs'}`}
    >
      <DownloadIcon width={16} height={16} />
      Download
    </a>
  );
}

export function FileCard({ f, mine }: { f: FileInfo; mine: boolean }) {
  return (
    <div data-testid="file-card" className="flex w-64 max-w-full items-center gap-2.5">
      <span className="shrink-0 opacity-90">
        <KindIcon kind={f.kind} />
      </span>
      <NameAndSize f={f} />
      <DownloadLink f={f} mine={mine} />
    </div>
  );
}

export function GoneCard({ f }: { f: FileInfo }) {
  return (
    <div data-testid="file-gone" className="flex w-64 max-w-full items-center gap-2.5 opacity-80">
      <span className="shrink-0">
        <KindIcon kind={f.kind} />
      </span>
      <span className="flex min-w-0 flex-1 flex-col">
        <bdi className="truncate font-medium" title={f.name}>
          {f.name}
        </bdi>
        <span className="text-xs">
          {formatSize(f.size)} · No longer available
        </span>
      </span>
    </div>
  );
}
