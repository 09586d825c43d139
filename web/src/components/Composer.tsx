'use client';
// The message box: Enter sends, Shift+Enter is a newline; a counter from 900 characters; over
// 1000 Send is disabled. Typing state is reported on change and after 3 s of quiet. Beside it:
// Attach (files; pasted files too) and the microphone (voice notes), with their hints.
import {
  useEffect,
  useId,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';

import { useVoiceRecorder } from '@/lib/hooks/useVoiceRecorder';
import { COUNTER_FROM, MAX_MESSAGE_CHARS, cleanMessage, messageState } from '@/lib/validation';

import { AttachButton } from './files/AttachButton';
import { MicButton } from './files/MicButton';
import { RecordingBar } from './files/RecordingBar';
import { CloseIcon, SendIcon } from './icons';

const TYPING_IDLE_MS = 3000;

export function Composer(props: {
  disabled: boolean;
  onSend: (text: string) => void;
  onTyping: (on: boolean) => void;
  /** Changes when a new chat starts: focuses the box on devices with a fine pointer. */
  focusKey: string | null;
  onFiles: (files: File[]) => void;
  onVoice: (note: Blob, seconds: number) => void;
  /** Tells the chat a recording is under way (Esc then cancels it instead of arming New). */
  onRecording?: (on: boolean) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { onTyping } = props;
  const { count, sendable, over } = messageState(text);
  const empty = text.trim() === '';
  const voice = useVoiceRecorder(props.onVoice);
  const recording = voice.phase !== 'idle';
  const { onRecording } = props;

  useEffect(() => onRecording?.(recording), [recording, onRecording]);
  // The chat ended: a recording under way is dropped (it could not be sent).
  useEffect(() => {
    if (props.disabled) voice.cancel();
  }, [props.disabled, voice.cancel]);

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

  // Pasted files (a screenshot, an image copied in a browser) are sent as files; a paste that
  // carries text too (a word processor adds a picture of the text) stays a text paste.
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...e.clipboardData.files];
    if (files.length === 0 || e.clipboardData.getData('text/plain').trim() !== '') return;
    e.preventDefault();
    if (!props.disabled) props.onFiles(files);
  };

  const onFormKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key !== 'Escape' || !recording) return;
    e.preventDefault(); // not also the first Esc of "New"
    voice.cancel();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    send();
  };

  return (
    <div className="flex min-w-0 flex-1 flex-col gap-1">
      {voice.hint ? (
        <div
          role={voice.hint.error ? 'alert' : 'status'}
          className={`flex items-start gap-2 rounded-lg border px-2.5 py-1.5 text-sm ${voice.hint.error ? 'border-danger/40 text-danger' : 'border-line text-muted'}`}
        >
          <p className="min-w-0 flex-1">{voice.hint.text}</p>
          <button type="button" onClick={voice.clearHint} aria-label="Dismiss" className="shrink-0 rounded p-0.5 hover:bg-raised">
            <CloseIcon width={16} height={16} />
          </button>
        </div>
      ) : null}
      <form onSubmit={onSubmit} onKeyDown={onFormKeyDown} className="flex min-w-0 flex-1 items-end gap-1 sm:gap-2">
        {/* Nothing to attach or record once the chat ended. */}
        {recording || props.disabled ? null : <AttachButton disabled={props.disabled} onFiles={props.onFiles} />}
        {recording ? (
          <RecordingBar phase={voice.phase} elapsed={voice.elapsed} onCancel={voice.cancel} />
        ) : (
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
              onPaste={onPaste}
              onBlur={stopTyping}
              disabled={props.disabled}
              placeholder={props.disabled ? 'Chat ended' : 'Message…'}
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
        )}
        {recording ? null : (
          // On a phone Send and the microphone share one place: the microphone while the box is
          // empty, Send once there is text (the box keeps room to type).
          <button
            type="submit"
            disabled={props.disabled || !sendable}
            className={`btn btn-primary h-11 shrink-0 px-4 short:h-10 max-sm:w-11 max-sm:px-0 ${empty ? 'max-sm:hidden' : ''}`}
          >
            <SendIcon />
            <span className="max-sm:sr-only">Send</span>
          </button>
        )}
        {/* Last, and in the same place while recording: a press-and-hold never loses its button. */}
        <MicButton
          className={props.disabled ? 'hidden' : empty || recording ? '' : 'max-sm:hidden'}
          phase={voice.phase}
          disabled={props.disabled}
          onStart={() => void voice.start()}
          onFinish={() => void voice.finish()}
          onCancel={voice.cancel}
        />
      </form>
    </div>
  );
}
