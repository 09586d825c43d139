'use client';
// What happened to a call (declined, no answer, camera blocked…): an alert for errors, a status
// otherwise; dismissable, the chat goes on underneath.
import type { CallNotice } from '@/lib/call/controller';

import { CloseIcon } from '../icons';

export function CallNoticeBar({ notice, onDismiss }: { notice: CallNotice | null; onDismiss: () => void }) {
  return (
    <div role={notice?.error ? 'alert' : 'status'} data-testid="call-notice" className={notice ? '' : 'sr-only'}>
      {notice ? (
        <div className={`flex items-center gap-2 border-b border-line px-3 py-1.5 text-sm sm:px-4 ${notice.error ? 'bg-danger/10 text-danger' : 'bg-raised'}`}>
          <p className="mx-auto min-w-0 max-w-3xl flex-1">{notice.text}</p>
          <button type="button" className="btn size-8 min-h-8 shrink-0 p-0" onClick={onDismiss} aria-label="Dismiss">
            <CloseIcon />
          </button>
        </div>
      ) : null}
    </div>
  );
}
