'use client';
// The online count over REST while the socket is not connected (GET /api/stats every 10 s).
import { useEffect } from 'react';

import { check, statsSchema } from '../protocol/schemas';

export function useStatsPolling(active: boolean, origin: string, onOnline: (n: number) => void): void {
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const res = await fetch(`${origin}/api/stats`, { cache: 'no-store', credentials: 'omit' });
        if (!res.ok) return;
        const r = check(statsSchema, await res.json());
        if (r.ok && !stopped) onOnline(r.value.online);
      } catch {
        // Offline: the count stays as it was.
      }
    };
    void poll();
    const t = setInterval(() => void poll(), 10_000);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [active, origin, onOnline]);
}
