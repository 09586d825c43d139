'use client';
import { useEffect } from 'react';

/** Reports the newest stranger message as read while the page is visible (and at once when it
 *  becomes visible again). */
export function useReadReceipts(unreadUpTo: string | null, read: (upTo: string) => void): void {
  useEffect(() => {
    if (!unreadUpTo) return;
    if (document.visibilityState === 'visible') {
      read(unreadUpTo);
      return;
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') read(unreadUpTo);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [unreadUpTo, read]);
}
