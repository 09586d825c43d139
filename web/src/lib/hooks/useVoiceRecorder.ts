'use client';
// The composer's voice recorder: one VoiceRecording at a time, its timer (m:ss) and a hint when
// the microphone is refused or a note is too short. The note goes to `onNote`.
import { useCallback, useEffect, useRef, useState } from 'react';

import { VoiceRecording, micError, type RecorderDeps, type RecorderLike } from '../files/recorder';

export type RecorderPhase = 'idle' | 'starting' | 'recording';
export interface RecorderHint {
  text: string;
  /** An error (role=alert) rather than a remark (role=status). */
  error: boolean;
}

function browserDeps(): RecorderDeps {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  const MR = typeof MediaRecorder !== 'undefined' ? MediaRecorder : undefined;
  return {
    getUserMedia: md?.getUserMedia ? (c) => md.getUserMedia(c) : undefined,
    createRecorder: MR
      ? (stream, mimeType) =>
          new MR(stream as MediaStream, mimeType ? { mimeType } : undefined) as unknown as RecorderLike
      : undefined,
    isTypeSupported: MR ? (t) => MR.isTypeSupported(t) : undefined,
    now: Date.now,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (h) => window.clearTimeout(h as number),
  };
}

export function useVoiceRecorder(onNote: (blob: Blob, seconds: number) => void) {
  const [phase, setPhase] = useState<RecorderPhase>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [hint, setHint] = useState<RecorderHint | null>(null);
  const current = useRef<VoiceRecording | null>(null);
  const ticker = useRef<number | null>(null);
  const onNoteRef = useRef(onNote);
  onNoteRef.current = onNote;

  const stopTicker = () => {
    if (ticker.current !== null) window.clearInterval(ticker.current);
    ticker.current = null;
  };

  const finish = useCallback(async () => {
    const r = current.current;
    if (!r) return;
    current.current = null;
    stopTicker();
    setPhase('idle');
    const res = await r.finish();
    if (res.ok) onNoteRef.current(res.blob, res.seconds);
    else if (res.reason !== 'cancelled' && res.message) setHint({ text: res.message, error: res.reason === 'failed' });
  }, []);

  const cancel = useCallback(() => {
    const r = current.current;
    if (!r) return;
    current.current = null;
    stopTicker();
    setPhase('idle');
    r.cancel();
  }, []);

  const start = useCallback(async () => {
    if (current.current) return;
    setHint(null);
    // At the limit the note stops and is sent.
    const r = new VoiceRecording(browserDeps(), () => void finish());
    current.current = r;
    setPhase('starting');
    setElapsed(0);
    try {
      await r.start();
    } catch (e) {
      if (current.current === r) {
        current.current = null;
        setPhase('idle');
      }
      setHint({ text: micError(e).message, error: true });
      return;
    }
    if (current.current !== r) return; // finished or cancelled while the microphone was asked
    setPhase('recording');
    ticker.current = window.setInterval(() => setElapsed(r.elapsed()), 200);
  }, [finish]);

  // Leaving the page (or the chat screen) drops a recording and frees the microphone.
  useEffect(() => cancel, [cancel]);

  const clearHint = useCallback(() => setHint(null), []);
  return { phase, elapsed, hint, clearHint, start, finish, cancel };
}
