'use client';
import { useEffect } from 'react';

/** Registers /sw.js (the installable app shell); failures are ignored quietly. */
export function ServiceWorker() {
  useEffect(() => {
    if (!('serviceWorker' in navigator) || process.env.NODE_ENV !== 'production') return;
    navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  }, []);
  return null;
}
