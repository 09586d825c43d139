'use client';
// "New" (Esc twice): leaves and finds the next stranger in one step. A click runs it at once.
import { useEscTwice } from '@/lib/hooks/useEscTwice';

import { NextIcon } from './icons';

export function NewButton({ ended, escEnabled, onNew }: { ended: boolean; escEnabled: boolean; onNew: () => void }) {
  const [armed, disarm] = useEscTwice(escEnabled, onNew);
  const label = armed ? 'Really? (Esc)' : ended ? 'New stranger' : 'New';
  return (
    <button
      type="button"
      aria-keyshortcuts="Escape"
      onClick={() => {
        disarm();
        onNew();
      }}
      className={`btn h-11 shrink-0 px-3 short:h-10 max-sm:px-2.5 ${ended || armed ? 'btn-primary' : ''} ${armed ? 'ring-2 ring-danger' : ''}`}
    >
      <NextIcon />
      {label}
    </button>
  );
}
