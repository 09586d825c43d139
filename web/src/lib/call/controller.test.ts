import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { IceServersInfo, Mode } from '../protocol/events';
import {
  CALL_TEXT,
  CallController,
  type CallClientEvent,
  type CallLink,
  type ChatContext,
  type LinkEvent,
  type SignalEvent,
  type SignalReply,
} from './controller';
import { FakePeerConnection, FakeStream, FakeTrack, asStream, settle } from './fake';
import { LocalMedia, MEDIA_TEXT } from './media';

const RELAY: IceServersInfo = {
  iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1:g', credential: 'c' }],
  iceTransportPolicy: 'relay',
  ttl: 3600,
};
const OPEN: IceServersInfo = { iceServers: [{ urls: 'stun:127.0.0.1:3478' }], iceTransportPolicy: 'all', ttl: 3600 };
const remoteOffer = { type: 'offer' as const, sdp: 'remote-offer\r\na=ice-ufrag:theirs\r\n' };
const remoteAnswer = { type: 'answer' as const, sdp: 'remote-answer\r\n' };

class FakeLink implements CallLink {
  ctx: ChatContext | null = null;
  listeners = new Set<(e: LinkEvent) => void>();
  sent: { event: CallClientEvent; payload: unknown }[] = [];
  /** The reply for each event (default ok). */
  replies = new Map<CallClientEvent, SignalReply>();
  chat() {
    return this.ctx;
  }
  subscribe(fn: (e: LinkEvent) => void) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  async signal(event: CallClientEvent, ...payload: unknown[]): Promise<SignalReply> {
    this.sent.push({ event, payload: payload[0] });
    return this.replies.get(event) ?? { ok: true };
  }
  fire(e: LinkEvent) {
    for (const fn of this.listeners) fn(e);
  }
  matched(polite: boolean, mode: Mode = 'text', roomId = 'room-1') {
    this.ctx = { roomId, polite, mode };
    this.fire({ type: 'matched', chat: this.ctx });
  }
  signalIn<E extends SignalEvent['event']>(event: E, payload: Extract<SignalEvent, { event: E }>['payload']) {
    this.fire({ type: 'signal', event, payload } as SignalEvent);
  }
  named(event: CallClientEvent) {
    return this.sent.filter((s) => s.event === event);
  }
}

function setup(opts: { ice?: IceServersInfo; deny?: boolean } = {}) {
  const link = new FakeLink();
  const pcs: FakePeerConnection[] = [];
  const gum = vi.fn(async (c: MediaStreamConstraints) => {
    if (opts.deny) {
      const e = new Error('denied');
      e.name = 'NotAllowedError';
      throw e;
    }
    const t: FakeTrack[] = [];
    if (c.audio) t.push(new FakeTrack('audio'));
    if (c.video) t.push(new FakeTrack('video'));
    return asStream(new FakeStream(t));
  });
  const media = new LocalMedia({
    getUserMedia: gum,
    enumerateDevices: async () =>
      [
        { kind: 'videoinput', deviceId: 'video-1', label: 'Front' },
        { kind: 'videoinput', deviceId: 'video-2', label: 'Back' },
        { kind: 'audioinput', deviceId: 'audio-1', label: 'Mic' },
      ] as MediaDeviceInfo[],
    createStream: (tracks) => asStream(new FakeStream(tracks as unknown as FakeTrack[])),
  });
  const iceGet = vi.fn(async (_mode: Mode) => opts.ice ?? OPEN);
  const warnings: string[] = [];
  const call = new CallController({
    link,
    media,
    ice: { get: iceGet },
    peer: {
      createPeerConnection: (config) => {
        const pc = new FakePeerConnection(config);
        pcs.push(pc);
        return pc;
      },
      createStream: () => asStream(new FakeStream()),
    },
    now: Date.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    warn: (m) => warnings.push(m),
    ringMs: 30_000,
    statsMs: 2000,
  });
  const pc = () => {
    const p = pcs.at(-1);
    if (!p) throw new Error('no peer connection');
    return p;
  };
  return { link, call, media, gum, iceGet, pcs, pc, warnings, s: () => call.snapshot() };
}

/** A caller whose offer went out and was answered: connecting. */
async function connectedCaller(t: ReturnType<typeof setup>, type: 'audio' | 'video' = 'video') {
  await t.call.start(type);
  await settle();
  t.link.signalIn('webrtc:answer', { from: 'them', answer: remoteAnswer });
  await settle();
  t.pc().setIceState('connected');
  await settle();
}

describe('CallController', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('a video call: media, ICE servers of the chat mode, the offer with its type, ringing, answered, connected', async () => {
    const t = setup({ ice: RELAY });
    t.link.matched(false, 'text');
    expect(t.s()).toMatchObject({ inChat: true, phase: 'idle', chatMode: 'text' });
    await t.call.start('video');
    await settle();
    expect(t.iceGet).toHaveBeenCalledWith('text');
    expect(t.pc().config.iceTransportPolicy).toBe('relay');
    expect(t.pc().config.iceServers).toEqual(RELAY.iceServers);
    const offer = t.link.named('webrtc:offer')[0]?.payload as { offer: { type: string }; callType: string };
    expect(offer).toMatchObject({ offer: { type: 'offer' }, callType: 'video' });
    expect(t.s()).toMatchObject({ phase: 'calling', direction: 'outgoing', callType: 'video', policy: 'relay', sendsVideo: true });
    expect(t.s().ringEndsAt).toBe(Date.now() + 30_000);
    expect(t.s().local?.getTracks()).toHaveLength(2);

    t.link.signalIn('webrtc:answer', { from: 'them', answer: remoteAnswer });
    await settle();
    expect(t.s()).toMatchObject({ phase: 'connecting', ringEndsAt: null });
    expect(t.pc().signalingState).toBe('stable');

    // Our candidates go out; theirs come in.
    t.pc().gather({ candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ relay', sdpMid: '0', sdpMLineIndex: 0 });
    expect(t.link.named('webrtc:ice-candidate')).toHaveLength(1);
    t.link.signalIn('webrtc:ice-candidate', { from: 'them', candidate: { candidate: 'candidate:2', sdpMid: '0', sdpMLineIndex: null } });
    await settle();
    expect(t.pc().candidates).toEqual([{ candidate: 'candidate:2', sdpMid: '0' }]);

    t.pc().stats = new Map([
      ['T', { id: 'T', type: 'transport', selectedCandidatePairId: 'P' }],
      ['P', { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.01 }],
      ['L', { id: 'L', type: 'local-candidate', candidateType: 'relay' }],
      ['R', { id: 'R', type: 'remote-candidate', candidateType: 'relay' }],
    ]);
    t.pc().setIceState('connected');
    await settle();
    expect(t.s()).toMatchObject({ phase: 'connected', quality: { path: 'relayed', rttMs: 10 } });
    expect(t.s().connectedAt).not.toBeNull();
  });

  it('reads the quality every 2 s; a remote video that decodes nothing is "stalled"', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    t.pc().remoteTrack(new FakeTrack('video'));
    const frames = (n: number) =>
      (t.pc().stats = new Map([['V', { id: 'V', type: 'inbound-rtp', kind: 'video', framesDecoded: n, bytesReceived: n * 1000, packetsReceived: n }]]));
    frames(10);
    await vi.advanceTimersByTimeAsync(2000);
    frames(70);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.s()).toMatchObject({ remoteVideoStalled: false, quality: { newFrames: 60 } });
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.s()).toMatchObject({ remoteVideoStalled: true, quality: { newFrames: 0 } });
  });

  it('an incoming call rings; candidates wait for Accept; Accept answers', async () => {
    const t = setup();
    t.link.matched(true);
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'audio' });
    t.link.signalIn('webrtc:ice-candidate', { from: 'them', candidate: { candidate: 'candidate:1', sdpMid: '0' } });
    expect(t.s()).toMatchObject({ phase: 'ringing', direction: 'incoming', callType: 'audio' });
    expect(t.s().ringEndsAt).toBe(Date.now() + 30_000);
    expect(t.pcs).toHaveLength(0);
    expect(t.gum).not.toHaveBeenCalled();

    await t.call.accept();
    await settle();
    expect(t.gum.mock.calls[0]?.[0]).toMatchObject({ video: false });
    expect(t.pc().log).toEqual(['setRemote:offer', 'setLocal:answer']);
    expect(t.pc().candidates).toEqual([{ candidate: 'candidate:1', sdpMid: '0' }]);
    expect(t.link.named('webrtc:answer')).toHaveLength(1);
    expect(t.link.named('webrtc:offer')).toHaveLength(0);
    expect(t.s()).toMatchObject({ phase: 'connecting', sendsVideo: false });
  });

  it('Decline sends call-reject; a call the server counts as active is ended instead', async () => {
    const t = setup();
    t.link.matched(true);
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    t.call.decline();
    await settle();
    expect(t.link.sent.map((s) => s.event)).toEqual(['webrtc:call-reject']);
    expect(t.s()).toMatchObject({ phase: 'idle', notice: null });

    t.link.replies.set('webrtc:call-reject', { ok: false, code: 'no_call' });
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    t.call.decline();
    await settle();
    expect(t.link.sent.map((s) => s.event).slice(1)).toEqual(['webrtc:call-reject', 'webrtc:call-end']);
  });

  it('the caller sees a decline and a ring timeout', async () => {
    const t = setup();
    t.link.matched(false);
    await t.call.start('video');
    await settle();
    t.link.signalIn('webrtc:call-reject', { from: 'them' });
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.declined } });
    expect(t.pc().closed).toBe(true);
    // The stream stays, idle: the camera is off between calls, nothing asked again next time.
    expect(t.media.current?.getTracks().every((x) => !x.enabled)).toBe(true);

    await t.call.start('video');
    await settle();
    expect(t.gum).toHaveBeenCalledTimes(1);
    t.link.signalIn('webrtc:call-timeout', {});
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.noAnswer } });
  });

  it('the callee who let it ring sees a missed call; a lost timeout event still ends the ring', async () => {
    const t = setup();
    t.link.matched(true);
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    t.link.signalIn('webrtc:call-timeout', {});
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.missed } });
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    await vi.advanceTimersByTimeAsync(35_000);
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.missed } });
    expect(t.link.named('webrtc:call-reject')).toHaveLength(1);
  });

  it('hang-up: call-end sent, the peer closed; the stranger hanging up is said so', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    t.call.hangup();
    expect(t.link.named('webrtc:call-end')).toHaveLength(1);
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.youEnded } });
    expect(t.pc().closed).toBe(true);

    await connectedCaller(t);
    t.link.signalIn('webrtc:call-end', { from: 'them', reason: 'hangup' });
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.hungUp } });
  });

  it('video mode: the impolite side calls at once, the polite side accepts by itself', async () => {
    const a = setup();
    a.link.matched(false, 'video');
    await settle();
    expect(a.iceGet).toHaveBeenCalledWith('video');
    expect(a.link.named('webrtc:offer')[0]?.payload).toMatchObject({ callType: 'video' });

    const b = setup();
    b.link.matched(true, 'video');
    await settle();
    expect(b.link.sent).toEqual([]);
    b.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    await settle();
    expect(b.link.named('webrtc:answer')).toHaveLength(1);
    expect(b.s()).toMatchObject({ phase: 'connecting', reveal: { mine: false, theirs: false } });
    // Only the chat's first call: a later one rings.
    b.call.hangup();
    b.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    expect(b.s().phase).toBe('ringing');
  });

  it('glare, polite: its own offer gets busy, the other offer is answered on the same connection', async () => {
    const t = setup();
    t.link.matched(true);
    t.link.replies.set('webrtc:offer', { ok: false, code: 'busy' });
    await t.call.start('audio');
    await settle();
    expect(t.s().phase).toBe('calling');
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    await settle();
    expect(t.pc().log).toEqual(['setLocal:offer', 'setLocal:rollback', 'setRemote:offer', 'setLocal:answer']);
    expect(t.link.named('webrtc:answer')).toHaveLength(1);
    expect(t.s()).toMatchObject({ phase: 'connecting', direction: 'incoming', callType: 'video' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.s().phase).toBe('connecting');
  });

  it('glare, impolite: the other offer is ignored, its own call goes on', async () => {
    const t = setup();
    t.link.matched(false);
    await t.call.start('video');
    await settle();
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    await settle();
    expect(t.link.named('webrtc:answer')).toHaveLength(0);
    expect(t.s()).toMatchObject({ phase: 'calling', direction: 'outgoing' });
  });

  it('busy without an offer following: the stranger is busy', async () => {
    const t = setup();
    t.link.matched(true);
    t.link.replies.set('webrtc:offer', { ok: false, code: 'busy' });
    await t.call.start('video');
    await settle();
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: CALL_TEXT.busy } });
  });

  it('a refused camera: a message, nothing sent, the chat goes on; answering: the call is rejected', async () => {
    const t = setup({ deny: true });
    t.link.matched(false);
    await t.call.start('video');
    expect(t.s()).toMatchObject({ phase: 'idle', inChat: true, notice: { text: MEDIA_TEXT.blocked, error: true } });
    expect(t.link.sent).toEqual([]);
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'audio' });
    await t.call.accept();
    await settle();
    expect(t.link.named('webrtc:call-reject')).toHaveLength(1);
    expect(t.s()).toMatchObject({ phase: 'idle', notice: { text: MEDIA_TEXT.micBlocked } });
  });

  it('consent-first video: both states known on both sides, reset for each call', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    expect(t.s().reveal).toEqual({ mine: false, theirs: false });
    await t.call.setReveal(true);
    expect(t.link.named('webrtc:video-reveal').map((s) => s.payload)).toEqual([{ reveal: true }]);
    expect(t.s().reveal).toEqual({ mine: true, theirs: false });
    t.link.signalIn('webrtc:video-reveal', { from: 'them', reveal: true });
    expect(t.s().reveal).toEqual({ mine: true, theirs: true });
    t.link.signalIn('webrtc:video-reveal', { from: 'them', reveal: false });
    expect(t.s().reveal).toEqual({ mine: true, theirs: false });
    // Not relayed: not counted.
    t.link.replies.set('webrtc:video-reveal', { ok: false, code: 'rate_limited' });
    await t.call.setReveal(false);
    expect(t.s().reveal.mine).toBe(true);
    expect(t.s().notice?.text).toBe(CALL_TEXT.reveal);
    t.link.replies.delete('webrtc:video-reveal');
    t.call.hangup();
    await connectedCaller(t);
    expect(t.s().reveal).toEqual({ mine: false, theirs: false });
  });

  it('mute and camera off: the microphone track disabled; no video sent, the camera disabled', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    t.call.toggleMute();
    expect(t.media.audioTrack?.enabled).toBe(false);
    expect(t.s().muted).toBe(true);
    await t.call.toggleCamera();
    expect(t.s().cameraOff).toBe(true);
    expect(t.media.videoTrack?.enabled).toBe(false);
    expect(t.pc().senders[1]?.track).toBeNull();
    await t.call.toggleCamera();
    expect(t.pc().senders[1]?.track).toBe(t.media.videoTrack);
    t.call.toggleMute();
    expect(t.media.audioTrack?.enabled).toBe(true);
  });

  it('switching the camera sends the new one; the device list comes from enumerateDevices', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    expect(t.s().devices.cameras.map((d) => d.id)).toEqual(['video-1', 'video-2']);
    expect(t.s().cameraId).toBe('video-1');
    await t.call.nextCamera();
    const cam = t.media.videoTrack;
    expect(t.gum.mock.calls.at(-1)?.[0]).toMatchObject({ video: { deviceId: { exact: 'video-2' } } });
    expect(t.pc().senders[1]?.track).toBe(cam);
  });

  it('a failed connection is shown, and Retry restarts ICE', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    t.pc().setIceState('failed');
    expect(t.s().phase).toBe('connecting');
    await settle();
    t.link.signalIn('webrtc:answer', { from: 'them', answer: remoteAnswer });
    await settle();
    t.pc().setIceState('failed');
    await settle();
    t.link.signalIn('webrtc:answer', { from: 'them', answer: remoteAnswer });
    await settle();
    t.pc().setIceState('failed');
    expect(t.s().phase).toBe('failed');
    // Renegotiation offers went out as webrtc:offer.
    expect(t.link.named('webrtc:offer').length).toBeGreaterThanOrEqual(3);
    t.call.retry();
    expect(t.s().phase).toBe('connecting');
  });

  it('the end of the chat ends the call and keeps the stream; leaving frees it', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    const stream = t.media.current;
    t.link.fire({ type: 'chat-end', leaving: false });
    expect(t.s()).toMatchObject({ phase: 'idle', inChat: false });
    expect(t.pc().closed).toBe(true);
    expect(t.link.named('webrtc:call-end')).toHaveLength(0);
    expect(t.media.current).toBe(stream);
    t.link.matched(false, 'text', 'room-2');
    await connectedCaller(t);
    expect(t.gum).toHaveBeenCalledTimes(1);
    t.link.fire({ type: 'chat-end', leaving: true });
    expect(t.media.current).toBeNull();
  });

  it('a new room ends the old call; the same room again (a reconnect) keeps it', async () => {
    const t = setup();
    t.link.matched(false);
    await connectedCaller(t);
    t.link.matched(false, 'text', 'room-1');
    expect(t.s().phase).toBe('connected');
    t.link.matched(false, 'text', 'room-2');
    expect(t.s().phase).toBe('idle');
  });

  it('an offer while still preparing its own call: that call is accepted instead', async () => {
    const t = setup();
    t.link.matched(false);
    const started = t.call.start('video');
    t.link.signalIn('webrtc:offer', { from: 'them', offer: remoteOffer, callType: 'video' });
    await started;
    await settle();
    expect(t.link.named('webrtc:offer')).toHaveLength(0);
    expect(t.link.named('webrtc:answer')).toHaveLength(1);
    expect(t.pcs).toHaveLength(1);
    expect(t.s()).toMatchObject({ phase: 'connecting', direction: 'incoming' });
  });

  it('events of no call are ignored; nothing happens outside a chat', async () => {
    const t = setup();
    t.link.signalIn('webrtc:answer', { from: 'them', answer: remoteAnswer });
    t.link.signalIn('webrtc:call-end', { reason: 'hangup' });
    t.link.signalIn('webrtc:video-reveal', { from: 'them', reveal: true });
    await t.call.start('video');
    expect(t.s()).toMatchObject({ phase: 'idle', notice: null, reveal: { mine: false, theirs: false } });
    expect(t.link.sent).toEqual([]);
  });
});
