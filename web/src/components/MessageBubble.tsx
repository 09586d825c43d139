'use client';
// One message: text with safe links or a file, time, and (own messages) the receipt.
import { memo } from 'react';

import { linkify } from '@/lib/chat/linkify';
import { clock } from '@/lib/chat/log';
import type { MsgStatus, OwnMessage, StrangerMessage } from '@/lib/chat/reducer';

import { FileBody, type FileActions } from './files/FileBody';

const RECEIPT: Record<Exclude<MsgStatus, 'failed'>, { text: string; label: string }> = {
  sending: { text: '…', label: 'Sending' },
  sent: { text: '✓', label: 'Sent' },
  delivered: { text: '✓✓', label: 'Delivered' },
  read: { text: 'Read', label: 'Read' },
};

function Text({ text, mine }: { text: string; mine: boolean }) {
  return (
    <p className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">
      {linkify(text).map((p, i) =>
        p.type === 'link' ? (
          <a
            key={i}
            href={p.href}
            target="_blank"
            rel="noopener noreferrer"
            referrerPolicy="no-referrer"
            className={`underline underline-offset-2 ${mine ? 'text-link-mine' : 'text-link-theirs'}`}
          >
            {p.text}
          </a>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </p>
  );
}

function Receipt({ m, onRetry }: { m: OwnMessage; onRetry: (id: string) => void }) {
  if (m.upload) return null; // the upload card says how it goes
  if (m.status === 'failed') {
    return (
      <span data-testid="receipt" className="font-semibold text-danger">
        Failed —{' '}
        <button type="button" onClick={() => onRetry(m.id)} className="underline underline-offset-2">
          Retry
        </button>
      </span>
    );
  }
  const r = RECEIPT[m.status];
  return (
    <span data-testid="receipt" role="img" aria-label={r.label} title={r.label}>
      {r.text}
    </span>
  );
}

export const MessageBubble = memo(function MessageBubble({
  m,
  onRetry,
  files,
}: {
  m: OwnMessage | StrangerMessage;
  onRetry: (id: string) => void;
  files: FileActions;
}) {
  const mine = m.kind === 'me';
  const iso = new Date(m.at).toISOString();
  const failed = mine && (m.status === 'failed' || m.upload?.state === 'failed');
  return (
    <li
      data-from={mine ? 'me' : 'stranger'}
      data-status={mine ? m.status : undefined}
      data-file={m.file ? m.file.kind : undefined}
      className={`flex ${mine ? 'justify-end' : 'justify-start'}`}
    >
      <div
        className={`max-w-[85%] rounded-2xl shadow-sm sm:max-w-[70%] ${m.file ? 'p-2' : 'px-3.5 py-2'} ${
          mine ? 'rounded-br-md bg-mine text-on-mine' : 'rounded-bl-md bg-theirs text-on-theirs'
        } ${failed ? 'ring-2 ring-danger' : ''}`}
      >
        <span className="sr-only">{mine ? 'You: ' : 'Stranger: '}</span>
        {m.file ? <FileBody m={{ ...m, file: m.file }} on={files} /> : <Text text={m.text} mine={mine} />}
        <div className={`mt-0.5 flex items-center justify-end gap-2 text-xs ${mine ? 'text-on-mine/85' : 'text-muted'}`}>
          <time dateTime={iso}>{clock(m.at).slice(0, 5)}</time>
          {mine ? <Receipt m={m} onRetry={onRetry} /> : null}
        </div>
      </div>
    </li>
  );
});
