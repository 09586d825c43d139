'use client';
// What the composer shows while a voice note is recorded: a pulsing dot, the time (m:ss) and
// Cancel. The limit is shown so that the automatic stop is no surprise.
import { MAX_VOICE_SECONDS } from '@/lib/config';
import { formatDuration } from '@/lib/files/format';
import type { RecorderPhase } from '@/lib/hooks/useVoiceRecorder';

import { CloseIcon } from '../icons';

export function RecordingBar({ phase, elapsed, onCancel }: { phase: RecorderPhase; elapsed: number; onCancel: () => void }) {
  return (
    <div className="flex h-11 min-w-0 flex-1 items-center gap-2 rounded-lg border border-line bg-surface pr-3 pl-1 short:h-10">
      <button
        type="button"
        onClick={onCancel}
        aria-label="Cancel recording"
        className="btn h-9 shrink-0 border-transparent px-2 text-danger"
      >
        <CloseIcon />
        <span aria-hidden="true" className="max-sm:hidden">
          Cancel
        </span>
      </button>
      <span aria-hidden="true" className="size-2.5 shrink-0 animate-pulse rounded-full bg-danger" />
      <span role="timer" aria-label="Recording time" className="font-medium tabular-nums">
        {formatDuration(elapsed)}
      </span>
      <span className="min-w-0 truncate text-sm text-muted">
        {phase === 'starting' ? 'Starting the microphone…' : `Recording · max ${formatDuration(MAX_VOICE_SECONDS)}`}
      </span>
    </div>
  );
}
