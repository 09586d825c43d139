'use client';
// An own file on its way: name, size, a progress bar and Cancel; when it failed, why, with Retry
// (when it can succeed) and Remove.
import type { FileInfo } from '@/lib/protocol/events';
import type { UploadState } from '@/lib/chat/reducer';

import { KindIcon, NameAndSize } from './FileCard';

export interface UploadActions {
  cancel: (id: string) => void;
  retry: (id: string) => void;
  remove: (id: string) => void;
}

const linkButton = 'min-h-8 rounded px-1.5 text-sm font-semibold underline underline-offset-2 hover:bg-white/10';

export function UploadCard({ id, f, upload, on }: { id: string; f: FileInfo; upload: UploadState; on: UploadActions }) {
  const pct = upload.total > 0 ? Math.min(100, Math.floor((upload.loaded / upload.total) * 100)) : 0;
  return (
    <div data-testid="upload" data-state={upload.state} className="flex w-64 max-w-full flex-col gap-1.5">
      <div className="flex items-center gap-2.5">
        <span className="shrink-0 opacity-90">
          <KindIcon kind={f.kind} />
        </span>
        <NameAndSize f={f} />
      </div>
      {upload.state === 'uploading' ? (
        <div className="flex items-center gap-2">
          <div
            role="progressbar"
            aria-label={`Uploading ${f.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            className="h-1.5 min-w-0 flex-1 overflow-hidden rounded-full bg-on-mine/25"
          >
            <div className="h-full rounded-full bg-on-mine transition-[width] duration-200" style={{ width: `${pct}%` }} />
          </div>
          <span className="w-9 text-right text-xs tabular-nums" aria-hidden="true">
            {pct}%
          </span>
          <button type="button" onClick={() => on.cancel(id)} aria-label={`Cancel upload of ${f.name}`} className={linkButton}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <p data-testid="upload-error" className="min-w-0 flex-1 text-sm font-semibold">
            {upload.error}
          </p>
          <span className="flex gap-1">
            {upload.retryable ? (
              <button type="button" onClick={() => on.retry(id)} aria-label={`Retry upload of ${f.name}`} className={linkButton}>
                Retry
              </button>
            ) : null}
            <button type="button" onClick={() => on.remove(id)} aria-label={`Remove ${f.name}`} className={linkButton}>
              Remove
            </button>
          </span>
        </div>
      )}
    </div>
  );
}
