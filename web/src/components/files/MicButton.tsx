'use client';
// The microphone button: click (or Enter/Space) starts a recording and the same button then sends
// it; press and hold it instead (≥ HOLD_MS) and releasing sends. While recording, the bar beside
// it shows the time and a Cancel button; Esc cancels too.
import { useRef, type PointerEvent } from 'react';

import { HOLD_MS } from '@/lib/files/recorder';
import type { RecorderPhase } from '@/lib/hooks/useVoiceRecorder';

import { MicIcon, SendIcon } from '../icons';

export function MicButton(props: {
  phase: RecorderPhase;
  disabled: boolean;
  onStart: () => void;
  onFinish: () => void;
  onCancel: () => void;
  className?: string;
}) {
  const { phase, onStart, onFinish, onCancel } = props;
  const press = useRef<{ at: number; pointer: number } | null>(null);
  /** The click that follows a pointer press is already handled by the press. */
  const pressed = useRef(false);
  const idle = phase === 'idle';

  const down = (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0 || props.disabled || !idle) return;
    e.currentTarget.setPointerCapture?.(e.pointerId);
    press.current = { at: performance.now(), pointer: e.pointerId };
    pressed.current = true;
    onStart();
  };
  const up = (e: PointerEvent<HTMLButtonElement>) => {
    const p = press.current;
    if (!p || p.pointer !== e.pointerId) return;
    press.current = null;
    // A hold sends on release; a tap leaves it recording until Send or Cancel.
    if (performance.now() - p.at >= HOLD_MS) onFinish();
    setTimeout(() => (pressed.current = false), 0);
  };
  const cancelPress = () => {
    if (!press.current) return;
    press.current = null;
    pressed.current = false;
    onCancel();
  };

  return (
    <button
      type="button"
      disabled={props.disabled}
      onPointerDown={down}
      onPointerUp={up}
      onPointerCancel={cancelPress}
      onContextMenu={(e) => e.preventDefault()}
      onClick={() => {
        if (pressed.current) {
          pressed.current = false;
          return;
        }
        if (idle) onStart();
        else onFinish();
      }}
      aria-label={idle ? 'Record a voice note' : 'Send voice note'}
      title={idle ? 'Record a voice note: click, or hold and release to send' : 'Send voice note'}
      className={`btn h-11 w-11 shrink-0 touch-none px-0 select-none short:h-10 short:w-10 ${idle ? '' : 'btn-primary'} ${props.className ?? ''}`}
    >
      {idle ? <MicIcon /> : <SendIcon />}
    </button>
  );
}
