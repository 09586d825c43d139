'use client';
// The single-page flow: landing → searching → chat are states of one reducer, not routes.
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';

import { initialState, reducer } from '@/lib/chat/reducer';
import { ORIGIN } from '@/lib/config';
import { useAttention } from '@/lib/hooks/useAttention';
import { useCallController } from '@/lib/hooks/useCallController';
import { saveAutoFind, useChatClient } from '@/lib/hooks/useChatClient';
import { useStatsPolling } from '@/lib/hooks/useStatsPolling';
import type { ReportReason } from '@/lib/protocol/events';
import type { Prefs } from '@/lib/socket/client';

import { Announcer } from './Announcer';
import type { ChatHandlers } from './Chat';
import { ErrorBanner } from './ErrorBanner';
import { Header } from './Header';
import { Landing, type LandingValues } from './Landing';
import { Searching } from './Searching';
import { ServiceWorker } from './ServiceWorker';

// The chat screen (with the Radix dialog) is not needed on the landing: it loads in its own chunk,
// fetched as soon as a search starts.
const loadChat = () => import('./Chat');
const Chat = dynamic(() => loadChat().then((m) => m.Chat), { ssr: false });

export default function App() {
  const [state, dispatch] = useReducer(reducer, initialState);
  const client = useChatClient(dispatch);
  // Calls load with the chat screen and stay for the page (one camera stream across matches).
  const call = useCallController(client, state.phase !== 'landing');
  const prefs = useRef<Prefs | null>(null);

  const onOnline = useCallback((online: number) => dispatch({ type: 'stats', online }), []);
  useStatsPolling(state.phase === 'landing' && state.connection !== 'up', ORIGIN, onOnline);

  const start = useCallback(
    (v: LandingValues) => {
      const p: Prefs = { ...v, interestsOnly: prefs.current?.interestsOnly ?? false };
      prefs.current = p;
      void client?.start(p);
    },
    [client],
  );

  const retry = useCallback(() => {
    dispatch({ type: 'error/clear' });
    if (state.error?.retry === 'connect') client?.reconnect();
    else if (prefs.current) start(prefs.current);
  }, [client, start, state.error]);

  const handlers = useMemo<ChatHandlers | null>(
    () =>
      client && {
        send: (text) => void client.send(text),
        retry: (id) => client.retry(id),
        typing: (on) => client.typing(on),
        read: (upTo) => client.read(upTo),
        next: () => void client.next(),
        stop: () => client.leave(),
        report: (reason: ReportReason, note: string) => client.report(reason, note),
        autoFind: (v) => {
          saveAutoFind(v);
          client.setAutoFind(v);
        },
        // The uploads themselves live in the chat screen's chunk (useFileUploads).
        uploads: {
          dispatch,
          token: () => client.token(),
          refreshToken: () => client.refreshToken(),
          sendFile: (id, type, fileId) => client.sendFile(id, type, fileId),
        },
      },
    [client],
  );

  useEffect(() => {
    if (state.phase !== 'landing') void loadChat();
  }, [state.phase]);

  useAttention(state);

  const inChat = state.phase === 'chatting' || state.phase === 'ended';
  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <ServiceWorker />
      <Header
        online={state.online}
        connection={state.connection}
        downSince={state.downSince}
        onReconnect={() => client?.reconnect()}
        compact={state.phase !== 'landing'}
      />
      <Announcer announcement={state.announcement} />
      {state.error ? (
        <ErrorBanner error={state.error} onRetry={retry} onDismiss={() => dispatch({ type: 'error/clear' })} />
      ) : null}
      <div className={`flex min-h-0 flex-1 flex-col ${inChat ? '' : 'overflow-y-auto'}`}>
        {state.phase === 'landing' ? <Landing initial={prefs.current} onStart={start} ready={client !== null} /> : null}
        {state.phase === 'searching' && state.search ? (
          <Searching
            search={state.search}
            interests={prefs.current?.interests ?? []}
            onInterestsOnly={(v) => {
              if (prefs.current) prefs.current = { ...prefs.current, interestsOnly: v };
              client?.setInterestsOnly(v);
            }}
            onCancel={() => client?.cancel()}
          />
        ) : null}
        {inChat && handlers ? <Chat state={state} on={handlers} call={call} /> : null}
      </div>
    </div>
  );
}
