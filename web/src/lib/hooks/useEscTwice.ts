'use client';
import { useEffect, useRef, useState } from 'react';

/**
 * Esc twice, as Omegle did: the first Esc arms (returns true for `windowMs`), a second one within
 * it runs `run`. Esc that something else handled (a dialog closing) does not count.
 */
export function useEscTwice(enabled: boolean, run: () => void, windowMs = 3000): [armed: boolean, disarm: () => void] {
  const [armed, setArmed] = useState(false);
  const armedRef = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const runRef = useRef(run);
  runRef.current = run;

  const disarm = useRef(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    armedRef.current = false;
    setArmed(false);
  }).current;

  useEffect(() => {
    if (!enabled) {
      disarm();
      return;
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.repeat || e.isComposing) return;
      if (armedRef.current) {
        disarm();
        runRef.current();
        return;
      }
      armedRef.current = true;
      setArmed(true);
      timer.current = setTimeout(disarm, windowMs);
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      disarm();
    };
  }, [enabled, windowMs, disarm]);

  return [armed, disarm];
}
