'use client';
// Creates the app's one ChatClient (and its guest store) for the page's lifetime. socket.io-client
// is loaded in its own chunk right after the page (the landing does not need it to render).
import type { Socket } from 'socket.io-client';
import { useEffect, useState, type Dispatch } from 'react';

import type { Action } from '../chat/reducer';
import { ORIGIN } from '../config';
import { GuestStore } from '../guest';
import { ChatClient, type IoFactory } from '../socket/client';

const AUTO_FIND_KEY = 'hallway.autoFind';

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function readAutoFind(): boolean {
  try {
    return localStorage.getItem(AUTO_FIND_KEY) === '1';
  } catch {
    return false;
  }
}

export function saveAutoFind(v: boolean): void {
  try {
    if (v) localStorage.setItem(AUTO_FIND_KEY, '1');
    else localStorage.removeItem(AUTO_FIND_KEY);
  } catch {
    // ignore: the switch lasts for this page
  }
}

export function useChatClient(dispatch: Dispatch<Action>): ChatClient | null {
  const [client, setClient] = useState<ChatClient | null>(null);
  useEffect(() => {
    let cancelled = false;
    let c: ChatClient | null = null;
    const guests = new GuestStore({
      fetch: (input, init) => window.fetch(input, init),
      storage: sessionStore(),
      origin: ORIGIN,
      now: Date.now,
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (h) => window.clearTimeout(h as number),
    });
    import('socket.io-client').then(
      ({ io }) => {
        if (cancelled) return;
        const factory: IoFactory = (url, opts) => (url ? io(url, opts) : io(opts)) as Socket;
        c = new ChatClient({ io: factory, guests, dispatch, origin: ORIGIN, doc: document });
        c.setAutoFind(readAutoFind());
        // A reloaded page connects at once: the server says user:matched again if it was in a chat.
        c.resume();
        setClient(c);
      },
      () => dispatch({ type: 'error', error: { message: 'Hallway could not load completely. Please reload the page.' } }),
    );
    return () => {
      cancelled = true;
      c?.dispose();
      guests.dispose();
    };
  }, [dispatch]);
  return client;
}
