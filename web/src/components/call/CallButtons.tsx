'use client';
// "Audio call" and "Video call" in the chat's status bar: enabled in a chat with no call.
import type { CallType } from '@/lib/protocol/events';

import { PhoneIcon, VideoIcon } from '../icons';

export function CallButtons({ enabled, onCall }: { enabled: boolean; onCall: (type: CallType) => void }) {
  const cls = 'btn size-9 shrink-0 p-0 short:size-8';
  return (
    <div className="flex shrink-0 items-center gap-1.5" role="group" aria-label="Call the stranger">
      <button type="button" className={cls} disabled={!enabled} onClick={() => onCall('audio')} aria-label="Audio call" title="Audio call">
        <PhoneIcon />
      </button>
      <button type="button" className={cls} disabled={!enabled} onClick={() => onCall('video')} aria-label="Video call" title="Video call (blurred until you both agree)">
        <VideoIcon />
      </button>
    </div>
  );
}
