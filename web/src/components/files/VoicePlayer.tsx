'use client';
// A voice note: play/pause, how far it has played, and its length (the server's measure: a
// MediaRecorder WebM states none itself). Other audio files get the browser's own controls.
import { useEffect, useRef, useState } from 'react';

import { formatDuration, spokenDuration } from '@/lib/files/format';
import type { FileInfo } from '@/lib/protocol/events';

import { PauseIcon, PlayIcon } from '../icons';
import { DownloadLink, NameAndSize } from './FileCard';

export function VoicePlayer({ f, mine }: { f: FileInfo; mine: boolean }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [at, setAt] = useState(0);
  const length = f.duration ?? 0;
  const pct = length > 0 ? Math.min(100, (at / length) * 100) : 0;

  useEffect(() => () => audio.current?.pause(), []);

  const toggle = () => {
    const a = audio.current;
    if (!a) return;
    if (a.paused) {
      // Another player in the chat stops: one voice at a time.
      for (const other of document.querySelectorAll('audio')) if (other !== a) other.pause();
      void a.play().catch(() => setPlaying(false));
    } else a.pause();
  };

  return (
    <div data-testid="voice-note" className="flex w-56 max-w-full items-center gap-2.5">
      <button
        type="button"
        onClick={toggle}
        aria-label={`${playing ? 'Pause' : 'Play'} voice note, ${spokenDuration(length)}`}
        className={`flex size-10 shrink-0 items-center justify-center rounded-full ${mine ? 'bg-on-mine text-mine' : 'bg-accent text-on-accent'}`}
      >
        {playing ? <PauseIcon /> : <PlayIcon />}
      </button>
      <div aria-hidden="true" className="h-1.5 min-w-0 flex-1 overflow-hidden rounded-full bg-current/25">
        <div className="h-full rounded-full bg-current" style={{ width: `${pct}%` }} />
      </div>
      <span data-testid="voice-duration" className="shrink-0 text-xs tabular-nums">
        {playing || at > 0 ? `${formatDuration(at)} / ` : ''}
        {formatDuration(length)}
      </span>
      <audio
        ref={audio}
        src={f.url}
        preload="metadata"
        onPlaying={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => {
          setPlaying(false);
          setAt(0);
        }}
        onTimeUpdate={(e) => setAt(e.currentTarget.currentTime)}
      />
    </div>
  );
}

export function AudioPreview({ f, mine }: { f: FileInfo; mine: boolean }) {
  return (
    <div data-testid="audio-preview" className="flex w-64 max-w-full flex-col gap-1.5">
      <div className="flex items-center gap-2">
        <NameAndSize f={f} />
        <DownloadLink f={f} mine={mine} />
      </div>
      <audio src={f.url} controls preload="metadata" aria-label={f.name} className="h-10 w-full" />
    </div>
  );
}
