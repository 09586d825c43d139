'use client';
// The conversation: a role="log" live region named "Messages" (new items only are announced),
// kept scrolled to the newest message unless the reader scrolled up.
import { useEffect, useLayoutEffect, useRef } from 'react';

import type { Item, OwnMessage, StrangerMessage } from '@/lib/chat/reducer';

import type { FileActions } from './files/FileBody';
import { MessageBubble } from './MessageBubble';

export function MessageList({ items, onRetry, files, typing }: {
  items: Item[];
  onRetry: (id: string) => void;
  files: FileActions;
  typing: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  const onScroll = () => {
    const el = box.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [items, typing]);

  // The on-screen keyboard or a rotation shrinks the box: keep the newest message in view.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const messages = items.filter((i): i is OwnMessage | StrangerMessage => i.kind !== 'notice');
  return (
    <div
      ref={box}
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      aria-relevant="additions"
      tabIndex={0}
      className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-3 py-3 sm:px-4"
    >
      {messages.length === 0 ? (
        <p className="py-6 text-center text-sm text-muted">No messages yet.</p>
      ) : null}
      <ol className="mx-auto flex max-w-3xl flex-col gap-2">
        {messages.map((m) => (
          <MessageBubble key={m.id} m={m} onRetry={onRetry} files={files} />
        ))}
      </ol>
    </div>
  );
}
