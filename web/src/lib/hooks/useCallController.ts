'use client';
// The page's one call controller: created (its chunk loaded) once the page leaves the landing,
// kept across chats and searches (the camera stream is reused from match to match), disposed
// back on the landing.
import { useEffect, useState, useSyncExternalStore } from 'react';

import type { CallController, CallSnapshot } from '../call/controller';
import type { ChatClient } from '../socket/client';

export function useCallController(client: ChatClient | null, wanted: boolean): CallController | null {
  const [call, setCall] = useState<CallController | null>(null);
  useEffect(() => {
    if (!wanted || !client) return;
    let cancelled = false;
    let made: CallController | null = null;
    import('../call/browser').then(
      ({ createCallController }) => {
        if (cancelled) return;
        made = createCallController(client);
        setCall(made);
      },
      () => undefined, // no calls on this page load; the chat works without them
    );
    // Back on the landing (or unmounted): the controller goes, and with it the camera stream.
    return () => {
      cancelled = true;
      made?.dispose();
      setCall(null);
    };
  }, [wanted, client]);
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
