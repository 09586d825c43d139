'use client';
// The call: the stranger large (blurred until both reveal), yourself picture-in-picture, the
// call's state and quality, and the controls. An audio call is a compact bar. Everything is a
// button with a name; the chat goes on below.
import { useCallback, useEffect, useId, useRef, useState } from 'react';

import type { CallController, CallSnapshot } from '@/lib/call/controller';
import { formatDuration } from '@/lib/files/format';
import { useNow } from '@/lib/hooks/useNow';

import {
  ExitFullscreenIcon,
  FullscreenIcon,
  HangUpIcon,
  MicIcon,
  MicOffIcon,
  PhoneIcon,
  RetryIcon,
  SettingsIcon,
  SoundIcon,
  SwitchCameraIcon,
  VideoIcon,
  VideoOffIcon,
} from '../icons';
import { Devices } from './Devices';
import { Quality } from './Quality';
import { RevealButton, revealText } from './Reveal';
import { StreamMedia, type StreamMediaHandle } from './StreamMedia';

export const PRIVACY_TEXT = "The stranger's browser can see your network address in this call";

/** The call's state for the live region, and its clock (ring countdown, duration) apart: a
 *  ticking clock inside a live region would be read out every second. */
function phaseText(s: CallSnapshot, now: number): { label: string; clock: string | null } {
  switch (s.phase) {
    case 'calling':
      if (s.ringEndsAt === null) return { label: 'Calling the stranger…', clock: null };
      return { label: 'Ringing the stranger…', clock: `${Math.max(0, Math.ceil((s.ringEndsAt - now) / 1000))} s` };
    case 'ringing':
      return { label: 'Incoming call', clock: null };
    case 'connecting':
      return { label: s.connectedAt ? 'Reconnecting…' : 'Connecting…', clock: null };
    case 'connected':
      return { label: 'Connected', clock: formatDuration(Math.max(0, (now - (s.connectedAt ?? now)) / 1000)) };
    case 'failed':
      return { label: 'The connection failed.', clock: null };
    case 'idle':
      return { label: '', clock: null };
  }
}

function CallStatus({ snap, className }: { snap: CallSnapshot; className: string }) {
  const now = useNow(snap.phase === 'calling' || snap.phase === 'connected', 500);
  const { label, clock } = phaseText(snap, now);
  return (
    <p data-testid="call-status" className={className}>
      <span role="status">{label}</span>
      {clock ? (
        <span role="timer" aria-label={snap.phase === 'connected' ? 'Call duration' : 'Ringing time left'} className="tabular-nums">
          {' · '}
          {clock}
        </span>
      ) : null}
    </p>
  );
}

const ctl = 'btn size-10 shrink-0 p-0 short:size-9';

function useFullscreen(target: React.RefObject<HTMLElement | null>) {
  const [full, setFull] = useState(false);
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    setSupported(typeof document !== 'undefined' && !!document.fullscreenEnabled);
    const on = () => setFull(document.fullscreenElement === target.current && target.current !== null);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, [target]);
  const toggle = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void target.current?.requestFullscreen().catch(() => undefined);
  }, [target]);
  return { full, supported, toggle };
}

export function CallView({ snap, call }: { snap: CallSnapshot; call: CallController }) {
  const id = useId();
  const box = useRef<HTMLElement>(null);
  const remoteRef = useRef<StreamMediaHandle>(null);
  const [devicesOpen, setDevicesOpen] = useState(false);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const { full, supported, toggle } = useFullscreen(box);
  const video = snap.callType === 'video';
  const live = snap.phase === 'connecting' || snap.phase === 'connected' || snap.phase === 'failed';
  const revealed = snap.reveal.mine && snap.reveal.theirs;
  const onSoundBlocked = useCallback((b: boolean) => setSoundBlocked(b), []);

  const controls = (
    <div className="flex flex-wrap items-center justify-center gap-1.5 px-2 py-1.5 sm:gap-2" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        className={`${ctl} ${snap.muted ? 'btn-danger' : ''}`}
        aria-label="Mute microphone"
        aria-pressed={snap.muted}
        title={snap.muted ? 'Microphone muted — unmute' : 'Mute microphone'}
        disabled={!live}
        onClick={() => call.toggleMute()}
      >
        {snap.muted ? <MicOffIcon /> : <MicIcon />}
      </button>
      {video ? (
        <button
          type="button"
          className={`${ctl} ${snap.cameraOff ? 'btn-danger' : ''}`}
          aria-label="Turn camera off"
          aria-pressed={snap.cameraOff}
          title={snap.cameraOff ? 'Camera off — turn it on' : 'Turn camera off'}
          disabled={!live || !snap.sendsVideo}
          onClick={() => void call.toggleCamera()}
        >
          {snap.cameraOff ? <VideoOffIcon /> : <VideoIcon />}
        </button>
      ) : null}
      {video && snap.devices.cameras.length > 1 ? (
        <button type="button" className={ctl} aria-label="Switch camera" title="Switch camera" disabled={!snap.sendsVideo} onClick={() => void call.nextCamera()}>
          <SwitchCameraIcon />
        </button>
      ) : null}
      <button
        type="button"
        className={ctl}
        aria-label="Camera and microphone"
        aria-expanded={devicesOpen}
        aria-controls={`${id}-devices`}
        title="Choose the camera and microphone"
        onClick={() => setDevicesOpen((o) => !o)}
      >
        <SettingsIcon />
      </button>
      {soundBlocked ? (
        <button type="button" className="btn btn-primary min-h-10" onClick={() => remoteRef.current?.unmute()}>
          <SoundIcon />
          Unmute the stranger
        </button>
      ) : null}
      {video && live && revealed ? (
        <RevealButton mine disabled={false} onReveal={(r) => void call.setReveal(r)} className="min-h-10" />
      ) : null}
      {video && supported ? (
        <button type="button" className={ctl} aria-label="Full screen" aria-pressed={full} title={full ? 'Leave full screen' : 'Full screen'} onClick={toggle}>
          {full ? <ExitFullscreenIcon /> : <FullscreenIcon />}
        </button>
      ) : null}
      {snap.phase === 'failed' ? (
        <button type="button" className="btn min-h-10" onClick={() => call.retry()}>
          <RetryIcon />
          Retry
        </button>
      ) : null}
      <button type="button" className="btn min-h-10 border-transparent bg-red-600 px-3 text-white hover:bg-red-700" aria-label="Hang up" title="Hang up" onClick={() => call.hangup()}>
        <HangUpIcon />
        <span aria-hidden="true" className="max-sm:hidden">
          Hang up
        </span>
      </button>
    </div>
  );

  const privacy =
    snap.policy === 'all' ? (
      <p data-testid="call-privacy" className="px-3 pb-1.5 text-center text-xs font-medium text-danger">
        {PRIVACY_TEXT}
      </p>
    ) : null;

  if (!video) {
    return (
      <section ref={box} aria-label="Audio call" data-testid="call-view" data-phase={snap.phase} className="shrink-0 border-b border-line bg-surface">
        <div className="mx-auto flex max-w-3xl flex-wrap items-center gap-2 px-3 pt-1.5 sm:px-4">
          <span className="flex size-9 items-center justify-center rounded-full bg-accent text-on-accent" aria-hidden="true">
            <PhoneIcon />
          </span>
          <CallStatus snap={snap} className="min-w-0 flex-1 text-sm font-medium" />
          {live ? <Quality quality={snap.quality} /> : null}
        </div>
        <StreamMedia ref={remoteRef} kind="audio" stream={snap.remote} version={snap.version} onSoundBlocked={onSoundBlocked} testId="remote-audio" hidden />
        {controls}
        {privacy}
        {devicesOpen ? <Devices id={`${id}-devices`} devices={snap.devices} cameraId={snap.cameraId} micId={snap.micId} video={false} onSwitch={(k, d) => void call.switchDevice(k, d)} /> : null}
      </section>
    );
  }

  return (
    <section
      ref={box}
      aria-label="Video call"
      data-testid="call-view"
      data-phase={snap.phase}
      data-revealed={revealed}
      className={`flex shrink-0 flex-col border-b border-line bg-surface ${full ? 'h-full' : ''}`}
    >
      <div className={`relative w-full overflow-hidden bg-black ${full ? 'min-h-0 flex-1' : 'h-[32dvh] sm:h-[46dvh] short:h-[52dvh]'}`}>
        <StreamMedia
          ref={remoteRef}
          kind="video"
          stream={snap.remote}
          version={snap.version}
          onSoundBlocked={onSoundBlocked}
          label="The stranger's video"
          testId="remote-video"
          className={`size-full object-contain transition-[filter] duration-300 ${revealed ? '' : 'scale-110 blur-2xl'}`}
        />
        {/* What the stranger's picture is waiting for. */}
        {(!revealed && live) || (revealed && snap.remoteVideoStalled && snap.phase === 'connected') ? (
          <div className="absolute inset-0 flex flex-col items-center justify-center gap-2 p-3 text-center text-white">
            {revealed ? (
              <p className="rounded-lg bg-black/55 px-3 py-1.5 text-sm">The stranger&apos;s camera is off</p>
            ) : (
              <div className="flex max-w-xs flex-col items-center gap-2 rounded-xl bg-black/55 p-3">
                <p data-testid="reveal-state" className="text-sm leading-snug">
                  {revealText(snap.reveal.mine, snap.reveal.theirs)}
                </p>
                <RevealButton mine={snap.reveal.mine} disabled={!live} onReveal={(r) => void call.setReveal(r)} className="min-h-10" />
              </div>
            )}
          </div>
        ) : null}
        <div className="absolute left-2 right-2 top-2 flex flex-wrap items-center gap-1.5">
          <CallStatus snap={snap} className="rounded-full bg-black/55 px-2 py-0.5 text-xs font-medium text-white" />
          {live ? <Quality quality={snap.quality} /> : null}
        </div>
        {live && revealed ? (
          <p data-testid="reveal-state" className="absolute bottom-2 left-2 max-w-[calc(100%-8rem)] rounded-lg bg-black/55 px-2 py-0.5 text-xs text-white sm:max-w-[calc(100%-12rem)]">
            {revealText(true, true)}
          </p>
        ) : null}
        {/* Yourself, picture-in-picture: muted, mirrored; nothing (no frozen frame) when the camera is off. */}
        {snap.sendsVideo ? (
          <div className="absolute bottom-2 right-2 aspect-[4/3] w-24 overflow-hidden rounded-lg border border-white/40 bg-gray-900 shadow-lg sm:w-40">
            {snap.cameraOff ? (
              <div className="flex size-full items-center justify-center p-1 text-center text-xs text-white" data-testid="self-view-off">
                Your camera is off
              </div>
            ) : (
              <StreamMedia kind="video" stream={snap.local} version={snap.version} muted label="Your camera" testId="self-view" className="size-full -scale-x-100 object-cover" />
            )}
          </div>
        ) : null}
      </div>
      {controls}
      {privacy}
      {devicesOpen ? (
        <Devices id={`${id}-devices`} devices={snap.devices} cameraId={snap.cameraId} micId={snap.micId} video onSwitch={(k, d) => void call.switchDevice(k, d)} />
      ) : null}
    </section>
  );
}
