'use client';
// A <video> or <audio> element playing a MediaStream: autoplay and playsinline (iOS plays inline
// only so). Where the browser refuses to autoplay with sound, it plays muted and says so
// (`onSoundBlocked`), and a tap on "Unmute" plays the sound.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface StreamMediaHandle {
  /** Plays with sound (after a tap: the browser allows it then). */
  unmute(): void;
  element(): HTMLMediaElement | null;
}

export const StreamMedia = forwardRef<
  StreamMediaHandle,
  {
    kind: 'video' | 'audio';
    stream: MediaStream | null;
    /** Changes when the stream's tracks changed: the element is bound again. */
    version: number;
    /** Own preview: never plays sound. */
    muted?: boolean;
    onSoundBlocked?: (blocked: boolean) => void;
    className?: string;
    label?: string;
    testId?: string;
    hidden?: boolean;
  }
>(function StreamMedia(props, ref) {
  const el = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const { stream, version, muted = false, onSoundBlocked } = props;

  useImperativeHandle(ref, () => ({
    unmute: () => {
      const m = el.current;
      if (!m) return;
      m.muted = false;
      m.play().then(
        () => onSoundBlocked?.(false),
        () => undefined,
      );
    },
    element: () => el.current,
  }));

  useEffect(() => {
    const m = el.current;
    if (!m) return;
    // Bound again on every change of tracks: some browsers keep showing the first track otherwise.
    m.srcObject = null;
    m.srcObject = stream;
    if (!stream) return;
    m.muted = muted;
    m.play().catch((e: unknown) => {
      if (muted || (e as Error)?.name !== 'NotAllowedError') return;
      m.muted = true;
      onSoundBlocked?.(true);
      m.play().catch(() => undefined);
    });
  }, [stream, version, muted, onSoundBlocked]);

  const common = {
    autoPlay: true,
    playsInline: true,
    muted,
    className: props.className,
    'aria-label': props.label,
    'data-testid': props.testId,
    hidden: props.hidden,
  };
  return props.kind === 'video' ? <video ref={el} {...common} /> : <audio ref={el} {...common} />;
});
