'use client';
// The chat screen: status, messages, typing, composer, New / Stop / Report / Save chat log;
// files dropped anywhere on it are sent, and an image opens large in a dialog.
import { useCallback, useMemo, useRef, useState } from 'react';

import type { CallController } from '@/lib/call/controller';
import { downloadLog } from '@/lib/chat/log';
import { statusLines, type State } from '@/lib/chat/reducer';
import type { FileUploadsDeps } from '@/lib/files/uploads';
import { useCallSnapshot } from '@/lib/hooks/useCallController';
import { useFileUploads } from '@/lib/hooks/useFileUploads';
import { useReadReceipts } from '@/lib/hooks/useReadReceipts';
import type { FileInfo, ReportReason } from '@/lib/protocol/events';
import type { ReportResult } from '@/lib/socket/client';

import { CallButtons } from './call/CallButtons';
import { CallNoticeBar } from './call/CallNoticeBar';
import { CallView } from './call/CallView';
import { IncomingCall } from './call/IncomingCall';
import { ChatActions } from './ChatActions';
import { Composer } from './Composer';
import { DropZone } from './files/DropZone';
import type { FileActions } from './files/FileBody';
import { ImageDialog } from './files/ImageDialog';
import { MessageList } from './MessageList';
import { NewButton } from './NewButton';

export interface ChatHandlers {
  send: (text: string) => void;
  retry: (id: string) => void;
  typing: (on: boolean) => void;
  read: (upTo: string) => void;
  next: () => void;
  stop: () => void;
  report: (reason: ReportReason, note: string) => Promise<ReportResult>;
  autoFind: (v: boolean) => void;
  /** What the chat screen's uploads need from the app (the chat client's token and sender). */
  uploads: Pick<FileUploadsDeps, 'dispatch' | 'token' | 'refreshToken' | 'sendFile'>;
}

export function Chat({ state, on, call }: { state: State; on: ChatHandlers; call: CallController | null }) {
  const [reportOpen, setReportOpen] = useState(false);
  const [viewing, setViewing] = useState<FileInfo | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const [recording, setRecording] = useState(false);
  const files = useFileUploads(on.uploads, state.phase, state.chat?.roomId ?? null);
  const fileActions = useMemo<FileActions>(
    () => ({
      cancel: files.cancel,
      retry: files.retry,
      remove: files.remove,
      view: (f: FileInfo) => {
        opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        setViewing(f);
      },
    }),
    [files],
  );
  const ended = state.phase === 'ended';
  const lines = statusLines(state);
  useReadReceipts(state.unreadUpTo, on.read);

  const save = useCallback(() => downloadLog(state.items, Date.now()), [state.items]);
  const partner = state.chat?.partner;
  const snap = useCallSnapshot(call);
  const phase = snap?.phase ?? 'idle';
  const ringing = phase === 'ringing';
  const canCall = !ended && !!snap?.inChat && phase === 'idle' && state.connection === 'up';

  return (
    <DropZone enabled={!ended} onFiles={files.add} className="flex min-h-0 w-full flex-1 flex-col">
      <h1 className="sr-only">Chat with a stranger</h1>
      <div className="shrink-0 border-b border-line bg-surface/60 px-3 py-2 short:py-1 sm:px-4">
        <div className="mx-auto flex max-w-3xl items-start gap-3">
        <div
          data-testid="chat-status"
          role="status"
          aria-live="polite"
          className={`min-w-0 flex-1 text-sm short:flex short:flex-wrap short:gap-x-2 ${ended || state.partnerReconnecting ? 'font-medium text-danger' : ''}`}
        >
          {lines.map((l) => (
            <p key={l}>{l}</p>
          ))}
        </div>
        {partner ? (
          <p className="min-w-0 max-w-[35%] truncate text-xs text-muted short:hidden" title="The stranger's nickname">
            {partner.username}
            {partner.language ? ` · ${partner.language}` : ''}
          </p>
        ) : null}
        {call ? <CallButtons enabled={canCall} onCall={(t) => void call.start(t)} /> : null}
        </div>
      </div>
      {call && snap ? <CallNoticeBar notice={snap.notice} onDismiss={() => call.dismissNotice()} /> : null}
      {call && snap && phase !== 'idle' && !ringing ? <CallView snap={snap} call={call} /> : null}

      <MessageList items={state.items} onRetry={on.retry} files={fileActions} typing={state.partnerTyping} />

      <div className="shrink-0 border-t border-line bg-surface px-3 pb-[max(0.5rem,env(safe-area-inset-bottom))] pt-1.5 short:pb-1 short:pt-0.5 sm:px-4">
        <div className="mx-auto flex max-w-3xl flex-col gap-1.5 short:gap-1">
          <div className="h-5 text-xs text-muted short:h-4" aria-hidden={!state.partnerTyping}>
            {state.partnerTyping ? <span data-testid="typing">Stranger is typing…</span> : null}
          </div>
          <ChatActions
            autoFind={state.autoFind}
            onAutoFind={on.autoFind}
            onStop={on.stop}
            onSave={save}
            reportOpen={reportOpen}
            onReportOpen={setReportOpen}
            onReport={on.report}
            canReport={state.endReason !== 'reported'}
          />
          <div className="flex items-end gap-1.5 sm:gap-2">
            <NewButton ended={ended} escEnabled={!reportOpen && !viewing && !recording && !ringing} onNew={on.next} />
            <Composer
              disabled={ended}
              onSend={on.send}
              onTyping={on.typing}
              focusKey={state.chat?.roomId ?? null}
              onFiles={files.add}
              onVoice={files.voice}
              onRecording={setRecording}
            />
          </div>
        </div>
      </div>
      <ImageDialog file={ended ? null : viewing} onClose={() => setViewing(null)} returnFocus={() => opener.current} />
      {call && snap ? (
        <IncomingCall
          open={ringing}
          callType={snap.callType}
          ringEndsAt={snap.ringEndsAt}
          onAccept={() => void call.accept()}
          onDecline={() => call.decline()}
        />
      ) : null}
    </DropZone>
  );
}
