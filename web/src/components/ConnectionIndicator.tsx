'use client';
// Small, non-blocking: says "Reconnecting…" only once the socket has been down ~1.5 s.
import { useEffect, useState } from 'react';

import type { Connection } from '@/lib/chat/reducer';

const DELAY_MS = 1500;

export function ConnectionIndicator({ connection, downSince }: { connection: Connection; downSince: number | null }) {
  const [late, setLate] = useState(false);

  useEffect(() => {
    if (connection !== 'down' || downSince === null) {
      setLate(false);
      return;
    }
    const left = downSince + DELAY_MS - Date.now();
    if (left <= 0) {
      setLate(true);
      return;
    }
    setLate(false);
    const t = setTimeout(() => setLate(true), left);
    return () => clearTimeout(t);
  }, [connection, downSince]);

  const text = connection === 'replaced' ? 'Paused: open in another tab' : late ? 'Reconnecting…' : '';
  return (
    <div
      role="status"
      aria-label="Connection"
      data-state={connection}
      className={`flex items-center gap-1.5 text-xs font-medium text-danger ${text ? '' : 'sr-only'}`}
    >
      {text ? <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-danger" /> : null}
      {text}
    </div>
  );
}
