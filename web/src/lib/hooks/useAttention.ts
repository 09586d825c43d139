'use client';
// Sounds and the tab title for what happens while the visitor looks elsewhere: a chime when a
// stranger is found, for a new message while the page is hidden, and when the stranger leaves;
// "(N) …" in the title for unseen messages.
import { useEffect, useRef } from 'react';

import type { State } from '../chat/reducer';
import { chime, unlockAudio } from '../sound';

const TITLE: Record<State['phase'], string> = {
  landing: 'Hallway — talk to a stranger',
  searching: 'Looking for someone… · Hallway',
  chatting: 'Chatting · Hallway',
  ended: 'Chat ended · Hallway',
};

export function useAttention(state: State): void {
  const room = useRef<string | null>(null);
  const seen = useRef(0);
  const unseen = useRef(0);
  const { phase, items, endReason } = state;
  const roomId = state.chat?.roomId ?? null;

  // A gesture unlocks audio (browsers allow no sound before one).
  useEffect(() => {
    const unlock = () => unlockAudio();
    window.addEventListener('pointerdown', unlock, { passive: true });
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  useEffect(() => {
    if (phase === 'chatting' && roomId && roomId !== room.current) {
      room.current = roomId;
      seen.current = 0;
      chime('matched');
    }
    if (phase === 'landing' || phase === 'searching') room.current = null;
  }, [phase, roomId]);

  useEffect(() => {
    if (phase === 'ended' && (endReason === 'partner_left' || endReason === 'partner_disconnected')) chime('ended');
  }, [phase, endReason]);

  useEffect(() => {
    const fromStranger = items.filter((i) => i.kind === 'stranger').length;
    const fresh = fromStranger - seen.current;
    seen.current = fromStranger;
    if (fresh > 0 && document.visibilityState !== 'visible') {
      unseen.current += fresh;
      chime('message');
    }
    document.title = unseen.current > 0 ? `(${unseen.current}) ${TITLE[phase]}` : TITLE[phase];
  }, [items, phase]);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      unseen.current = 0;
      document.title = TITLE[phase];
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [phase]);
}
