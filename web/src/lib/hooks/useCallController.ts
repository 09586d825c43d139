'use client';
// The page's one call controller: created (its chunk loaded) once the page leaves the landing,
// kept across chats (the camera stream is reused from match to match), disposed with the page.
import { useEffect, useState, useSyncExternalStore } from 'react';

import type { CallController, CallSnapshot } from '../call/controller';
import type { ChatClient } from '../socket/client';

export function useCallController(client: ChatClient | null, wanted: boolean): CallController | null {
  const [call, setCall] = useState<CallController | null>(null);
  const need = wanted && client !== null && call === null;
  useEffect(() => {
    if (!need || !client) return;
    let cancelled = false;
    import('../call/browser').then(
      ({ createCallController }) => {
        if (!cancelled) setCall(createCallController(client));
      },
      () => undefined, // no calls on this page load; the chat works without them
    );
    return () => {
      cancelled = true;
    };
  }, [need, client]);
  useEffect(() => () => call?.dispose(), [call]);
  return call;
}

const noop = () => () => undefined;

/** The controller's state for rendering (null: calls not loaded, nothing to show). */
export function useCallSnapshot(call: CallController | null): CallSnapshot | null {
  return useSyncExternalStore(
    call ? call.subscribe : noop,
    () => (call ? call.snapshot() : null),
    () => null,
  );
}
