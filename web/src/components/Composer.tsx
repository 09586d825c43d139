'use client';
// The message box: Enter sends, Shift+Enter is a newline; a counter from 900 characters; over
// 1000 Send is disabled. Typing state is reported on change and after 3 s of quiet.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { COUNTER_FROM, MAX_MESSAGE_CHARS, cleanMessage, messageState } from '@/lib/validation';

import { SendIcon } from './icons';

const TYPING_IDLE_MS = 3000;

export function Composer(props: {
  disabled: boolean;
  onSend: (text: string) => void;
  onTyping: (on: boolean) => void;
  /** Changes when a new chat starts: focuses the box on devices with a fine pointer. */
  focusKey: string | null;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { onTyping } = props;
  const { count, sendable, over } = messageState(text);

  useEffect(() => {
    if (props.disabled || !props.focusKey) return;
    if (window.matchMedia('(pointer: fine)').matches) ref.current?.focus();
  }, [props.focusKey, props.disabled]);

  useEffect(
    () => () => {
      if (idle.current) clearTimeout(idle.current);
    },
    [],
  );

  const stopTyping = () => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    onTyping(false);
  };

  const change = (v: string) => {
    setText(v);
    if (v.trim() === '') return stopTyping();
    onTyping(true);
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const send = () => {
    if (props.disabled || !sendable) return;
    const clean = cleanMessage(text);
    if (!clean) return;
    // Sending ends typing (the client resets it without a stop event).
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    props.onSend(clean);
    setText('');
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    send();
  };

  return (
    <form onSubmit={onSubmit} className="flex min-w-0 flex-1 items-end gap-2">
      <div className="relative min-w-0 flex-1">
        <label htmlFor={id} className="sr-only">
          Message
        </label>
        <textarea
          ref={ref}
          id={id}
          rows={1}
          value={text}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
          disabled={props.disabled}
          placeholder={props.disabled ? 'Chat ended' : 'Type a message…'}
          enterKeyHint="send"
          aria-describedby={count >= COUNTER_FROM ? `${id}-count` : undefined}
          aria-invalid={over ? true : undefined}
          className="field block max-h-40 min-h-11 resize-none py-2.5 [field-sizing:content] disabled:opacity-60 short:max-h-20 short:min-h-10 short:py-2"
        />
        {count >= COUNTER_FROM ? (
          <span
            id={`${id}-count`}
            data-testid="char-count"
            className={`pointer-events-none absolute -top-5 right-1 text-xs tabular-nums ${over ? 'font-semibold text-danger' : 'text-muted'}`}
          >
            {count}/{MAX_MESSAGE_CHARS}
          </span>
        ) : null}
      </div>
      <button type="submit" disabled={props.disabled || !sendable} className="btn btn-primary h-11 shrink-0 px-4 short:h-10">
        <SendIcon />
        <span className="max-sm:sr-only">Send</span>
      </button>
    </form>
  );
}
