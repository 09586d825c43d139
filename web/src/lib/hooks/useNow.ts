'use client';
import { useEffect, useState } from 'react';

/** The current time, updated every `ms` while `active`. */
export function useNow(active: boolean, ms = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [active, ms]);
  // The state is as old as the last tick, or as the mount when `active` just turned on; a
  // countdown rendered from it would start one step too high ("Anyone in 61 s" of 60).
  return active ? Math.max(now, Date.now()) : now;
}
