// The calls of a page, without React: one call at a time within the current chat, its phases
// (idle → calling / ringing → connecting → connected, failed → retry), the page's one local
// stream, consent-first video (blurred until both reveal) and the connection quality. The chat
// client is its link to the server (signaling, chat start and end); the UI reads `snapshot()`.
import type {
  CallType,
  ClientEvent,
  IceCandidate,
  IceServersInfo,
  Mode,
  PayloadOf,
  ServerEvent,
  SessionDescription,
} from '../protocol/events';
import type { ParsedServerEvent } from '../protocol/schemas';
import { rtcConfiguration } from './ice';
import { type Devices, type LocalMedia, mediaError } from './media';
import { CallPeer, type PeerDeps, type PeerState } from './peer';
import { readStats, type Quality, type Sample } from './stats';

// ---- the link to the chat client ----

export interface ChatContext {
  roomId: string;
  polite: boolean;
  mode: Mode;
}
export type CallServerEvent = Extract<ServerEvent, `webrtc:${string}`>;
export type CallClientEvent = Extract<ClientEvent, `webrtc:${string}`>;
export type SignalEvent = {
  [E in CallServerEvent]: { type: 'signal'; event: E; payload: ParsedServerEvent<E> };
}[CallServerEvent];
export type LinkEvent =
  | { type: 'matched'; chat: ChatContext }
  /** The chat ended (left, next, reported, partner gone); `leaving`: back to the landing. */
  | { type: 'chat-end'; leaving: boolean }
  | SignalEvent;
/** An ack: ok, or the error code ('timeout' when none came). */
export type SignalReply = { ok: true } | { ok: false; code: string };

export interface CallLink {
  /** The current chat, if any. */
  chat(): ChatContext | null;
  /** Signal events that arrived before the first subscriber are delivered to it. */
  subscribe(fn: (e: LinkEvent) => void): () => void;
  signal<E extends CallClientEvent>(event: E, ...payload: PayloadOf<E>): Promise<SignalReply>;
}

// ---- what the UI reads ----

export type CallPhase = 'idle' | 'calling' | 'ringing' | 'connecting' | 'connected' | 'failed';
export interface CallNotice {
  id: number;
  text: string;
  /** An error (role=alert) rather than information. */
  error: boolean;
}
export interface CallSnapshot {
  phase: CallPhase;
  callType: CallType | null;
  direction: 'outgoing' | 'incoming' | null;
  /** Unix ms when the ringing ends (the server's ring timeout; null before the offer is out). */
  ringEndsAt: number | null;
  connectedAt: number | null;
  /** The ICE transport policy of the call: 'all' lets the stranger's browser see the address. */
  policy: 'all' | 'relay' | null;
  quality: Quality | null;
  /** The remote video decodes no frames (camera off on the other side, or stalled). */
  remoteVideoStalled: boolean;
  local: MediaStream | null;
  remote: MediaStream | null;
  /** Changes whenever the tracks of `local` / `remote` change (to re-bind media elements). */
  version: number;
  muted: boolean;
  cameraOff: boolean;
  /** This side sends video in this call. */
  sendsVideo: boolean;
  reveal: { mine: boolean; theirs: boolean };
  devices: Devices;
  cameraId: string | null;
  micId: string | null;
  notice: CallNotice | null;
  /** In a chat (a call can be started when idle). */
  inChat: boolean;
  chatMode: Mode | null;
}

export const CALL_TEXT = {
  declined: 'The stranger declined the call.',
  noAnswer: 'No answer — the stranger did not pick up.',
  missed: 'You missed a call from the stranger.',
  hungUp: 'The stranger ended the call.',
  youEnded: 'Call ended.',
  busy: 'The stranger is busy — try again in a moment.',
  failed: 'The call could not be started. Please try again.',
  ended: 'The call had already ended.',
  reveal: 'That did not reach the stranger. Please try again.',
} as const;

export interface CallDeps {
  link: CallLink;
  media: LocalMedia;
  ice: { get(mode: Mode): Promise<IceServersInfo> };
  peer: Pick<PeerDeps, 'createPeerConnection' | 'createStream'> &
    Partial<Pick<PeerDeps, 'autoRestarts' | 'disconnectedMs' | 'restartTimeoutMs'>>;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  warn?: (msg: string) => void;
  /** The ring time the UI counts down (the server's default ring timeout). */
  ringMs?: number;
  /** How often getStats is read during a call. */
  statsMs?: number;
}

/** Candidates of an incoming call kept until it is accepted. */
const MAX_RING_CANDIDATES = 200;
/** After `busy` for our offer (glare, polite side), how long the other offer may take to come. */
const BUSY_WAIT_MS = 5000;
/** After the ring time, how long to wait for the server's call-timeout before ending anyway. */
const RING_GRACE_MS = 5000;

const NO_DEVICES: Devices = { cameras: [], microphones: [] };
const INITIAL: CallSnapshot = {
  phase: 'idle',
  callType: null,
  direction: null,
  ringEndsAt: null,
  connectedAt: null,
  policy: null,
  quality: null,
  remoteVideoStalled: false,
  local: null,
  remote: null,
  version: 0,
  muted: false,
  cameraOff: false,
  sendsVideo: false,
  reveal: { mine: false, theirs: false },
  devices: NO_DEVICES,
  cameraId: null,
  micId: null,
  notice: null,
  inChat: false,
  chatMode: null,
};

export class CallController {
  private snap: CallSnapshot = INITIAL;
  private readonly listeners = new Set<() => void>();
  private chat: ChatContext | null = null;
  private peer: CallPeer | null = null;
  /** The generation of the current call: async steps of an ended call see it changed. */
  private gen = 0;
  private incoming: { offer: SessionDescription<'offer'>; candidates: IceCandidate[] } | null = null;
  /** Video mode auto-accepts the chat's first video call only. */
  private autoAcceptUsed = false;
  private timers = new Map<'ring' | 'busy' | 'stats', unknown>();
  private sample: Sample | null = null;
  private noticeId = 0;
  private disposed = false;
  private readonly unsubscribe: () => void;
  private readonly unwatchMedia: () => void;
  private readonly warn: (msg: string) => void;
  private readonly ringMs: number;
  private readonly statsMs: number;

  constructor(private readonly deps: CallDeps) {
    this.warn = deps.warn ?? ((m) => console.warn(m));
    this.ringMs = deps.ringMs ?? 30_000;
    this.statsMs = deps.statsMs ?? 2000;
    this.unwatchMedia = deps.media.onChange(() => this.set({ local: deps.media.current, version: this.snap.version + 1 }));
    const chat = deps.link.chat();
    this.unsubscribe = deps.link.subscribe((e) => this.onLink(e));
    if (chat && !this.chat) this.onMatched(chat);
  }

  // ---- for the UI ----

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly snapshot = (): CallSnapshot => this.snap;

  /** Calls the stranger. */
  async start(type: CallType): Promise<void> {
    const chat = this.chat;
    if (!chat || this.snap.phase !== 'idle' || this.disposed) return;
    const gen = ++this.gen;
    this.set({
      ...this.freshCall(),
      phase: 'calling',
      callType: type,
      direction: 'outgoing',
    });
    const ready = await this.prepare(gen, type, chat.mode);
    if (!ready) return;
    // Adding the tracks makes the peer offer (negotiationneeded → sendDescription).
    this.openPeer(gen, ready.info, chat.polite, type, ready.acquired);
  }

  /** Accepts the ringing call. */
  async accept(): Promise<void> {
    const chat = this.chat;
    const incoming = this.incoming;
    const type = this.snap.callType;
    if (!chat || !incoming || this.snap.phase !== 'ringing' || !type) return;
    const gen = this.gen;
    this.clearTimer('ring');
    this.set({ phase: 'connecting', ringEndsAt: null });
    const ready = await this.prepare(gen, type, chat.mode, true);
    if (!ready || gen !== this.gen || this.incoming !== incoming) return;
    this.incoming = null;
    const peer = this.openPeer(gen, ready.info, chat.polite, type, ready.acquired, incoming.offer);
    // Kept until the offer is set (the peer's queue), then added in order.
    for (const c of incoming.candidates) void peer.addCandidate(c);
  }

  /** Declines the ringing call. */
  decline(): void {
    if (this.snap.phase !== 'ringing') return;
    void this.reject();
    this.end(null);
  }

  /** Ends the call (or declines a ringing one). */
  hangup(): void {
    const phase = this.snap.phase;
    if (phase === 'idle') return;
    if (phase === 'ringing') return this.decline();
    void this.deps.link.signal('webrtc:call-end', {});
    this.end({ text: CALL_TEXT.youEnded, error: false });
  }

  toggleMute(): void {
    const t = this.deps.media.audioTrack;
    if (!t || !this.peer) return;
    const muted = !this.snap.muted;
    t.enabled = !muted;
    this.set({ muted });
  }

  /** Camera off sends nothing (no frozen frame on the other side) and shows no self-view. */
  async toggleCamera(): Promise<void> {
    const t = this.deps.media.videoTrack;
    const peer = this.peer;
    if (!t || !peer || !this.snap.sendsVideo) return;
    const off = !this.snap.cameraOff;
    t.enabled = !off;
    this.set({ cameraOff: off });
    await peer.setVideoTrack(off ? null : t).catch((e: unknown) => this.warn(`hallway call: replaceTrack: ${String(e)}`));
  }

  /** Switches the camera or the microphone; the call sends the new one at once. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const gen = this.gen;
    try {
      const track = await this.deps.media.switchDevice(kind, deviceId);
      if (gen !== this.gen || !this.peer) return;
      if (kind === 'audio') await this.peer.setAudioTrack(track);
      else await this.peer.setVideoTrack(this.snap.cameraOff ? null : track);
    } catch (e) {
      this.notify((e as Error).message, true);
    }
    void this.refreshDevices();
  }

  /** The next camera (front ↔ back on a phone). */
  async nextCamera(): Promise<void> {
    const list = this.snap.devices.cameras;
    if (list.length < 2) return;
    const i = list.findIndex((d) => d.id === this.snap.cameraId);
    const next = list[(i + 1) % list.length];
    if (next) await this.switchDevice('video', next.id);
  }

  /** "Show video" (true) / "Blur again" (false): both sides see both states. */
  async setReveal(reveal: boolean): Promise<void> {
    const phase = this.snap.phase;
    if (phase !== 'connecting' && phase !== 'connected' && phase !== 'failed') return;
    if (this.snap.reveal.mine === reveal) return;
    const gen = this.gen;
    this.set({ reveal: { ...this.snap.reveal, mine: reveal } });
    const r = await this.deps.link.signal('webrtc:video-reveal', { reveal });
    if (r.ok || gen !== this.gen) return;
    // Not relayed: the other side does not know, so neither may we count it.
    this.set({ reveal: { ...this.snap.reveal, mine: !reveal } });
    this.notify(CALL_TEXT.reveal, true);
  }

  /** "Retry" after the connection failed: an ICE restart. */
  retry(): void {
    if (this.snap.phase === 'failed') this.peer?.retry();
  }

  dismissNotice(): void {
    if (this.snap.notice) this.set({ notice: null });
  }

  dispose(): void {
    if (this.disposed) return;
    this.end(null);
    this.disposed = true;
    this.unsubscribe();
    this.unwatchMedia();
    this.deps.media.release();
    this.listeners.clear();
  }

  // ---- the link ----

  private onLink(e: LinkEvent): void {
    if (this.disposed) return;
    switch (e.type) {
      case 'matched':
        return this.onMatched(e.chat);
      case 'chat-end':
        this.end(null);
        this.chat = null;
        this.set({ inChat: false, chatMode: null, notice: null });
        if (e.leaving) this.deps.media.release();
        else this.deps.media.idle();
        return;
      case 'signal':
        return this.onSignal(e);
    }
  }

  private onMatched(chat: ChatContext): void {
    const same = this.chat?.roomId === chat.roomId;
    this.chat = chat;
    this.set({ inChat: true, chatMode: chat.mode });
    if (same) return; // a reconnect: the call (if any) goes on
    this.end(null);
    this.set({ notice: null });
    this.autoAcceptUsed = false;
    // Video mode: the impolite side calls at once, the polite side accepts (still blurred).
    if (chat.mode === 'video' && !chat.polite) void this.start('video');
  }

  private onSignal(e: SignalEvent): void {
    switch (e.event) {
      case 'webrtc:offer':
        return this.onOffer(e.payload.offer, e.payload.callType);
      case 'webrtc:answer': {
        if (!this.peer || this.snap.direction === null) return;
        void this.peer.receive(e.payload.answer);
        if (this.snap.phase === 'calling') {
          this.clearTimer('ring');
          this.clearTimer('busy');
          this.set({ phase: this.peer.current === 'connected' ? 'connected' : 'connecting', ringEndsAt: null });
        }
        return;
      }
      case 'webrtc:ice-candidate': {
        const c = e.payload.candidate;
        const clean: IceCandidate = { candidate: c.candidate };
        if (c.sdpMid != null) clean.sdpMid = c.sdpMid;
        if (c.sdpMLineIndex != null) clean.sdpMLineIndex = c.sdpMLineIndex;
        if (c.usernameFragment != null) clean.usernameFragment = c.usernameFragment;
        if (this.incoming) {
          if (this.incoming.candidates.length < MAX_RING_CANDIDATES) this.incoming.candidates.push(clean);
        } else {
          void this.peer?.addCandidate(clean);
        }
        return;
      }
      case 'webrtc:call-end': {
        if (this.snap.phase === 'idle') return;
        const reason = e.payload.reason;
        if (reason === 'chat_ended') return this.end(null);
        if (reason === 'timeout') return this.end({ text: this.timeoutText(), error: false });
        return this.end({ text: this.snap.phase === 'ringing' ? CALL_TEXT.missed : CALL_TEXT.hungUp, error: false });
      }
      case 'webrtc:call-reject':
        if (this.snap.direction === 'outgoing' && this.snap.phase === 'calling') {
          this.end({ text: CALL_TEXT.declined, error: false });
        }
        return;
      case 'webrtc:call-timeout':
        if (this.snap.phase !== 'idle') this.end({ text: this.timeoutText(), error: false });
        return;
      case 'webrtc:video-reveal':
        if (this.snap.phase === 'idle') return;
        this.set({ reveal: { ...this.snap.reveal, theirs: e.payload.reveal } });
        return;
    }
  }

  private timeoutText(): string {
    return this.snap.direction === 'incoming' ? CALL_TEXT.missed : CALL_TEXT.noAnswer;
  }

  private onOffer(offer: SessionDescription<'offer'>, type: CallType): void {
    const { phase } = this.snap;
    if (!this.chat) return;
    if (phase === 'calling' && this.peer) {
      // Glare: both called. The polite side takes the other offer (the peer rolls its own back)
      // and answers; the impolite side's peer ignores it (the server lets our offer win).
      if (this.chat.polite) {
        this.clearTimer('ring');
        this.clearTimer('busy');
        this.set({ phase: 'connecting', direction: 'incoming', callType: type, ringEndsAt: null });
      }
      void this.peer.receive(offer);
      return;
    }
    if (phase === 'connecting' || phase === 'connected' || phase === 'failed') {
      if (this.peer) void this.peer.receive(offer); // renegotiation (ICE restart)
      return;
    }
    if (phase === 'ringing') {
      this.incoming = { offer, candidates: [] };
      this.set({ callType: type });
      return;
    }
    // Idle, or still preparing our own call (no offer out yet): the stranger's call rings; we
    // wanted a call too, so it is accepted at once.
    const wanted = phase === 'calling';
    if (wanted) this.end(null);
    this.gen++;
    this.incoming = { offer, candidates: [] };
    const ringEndsAt = this.deps.now() + this.ringMs;
    this.set({ ...this.freshCall(), phase: 'ringing', callType: type, direction: 'incoming', ringEndsAt });
    this.armRingTimer();
    const auto = this.chat.mode === 'video' && type === 'video' && !this.autoAcceptUsed;
    if (auto) this.autoAcceptUsed = true;
    if (auto || wanted) void this.accept();
  }

  // ---- a call's parts ----

  private freshCall(): Partial<CallSnapshot> {
    this.sample = null;
    return {
      ringEndsAt: null,
      connectedAt: null,
      policy: null,
      quality: null,
      remoteVideoStalled: false,
      remote: null,
      muted: false,
      cameraOff: false,
      sendsVideo: false,
      reveal: { mine: false, theirs: false },
      notice: null,
    };
  }

  /** Media and ICE servers for a call; null (the call ended with a message) when either fails. */
  private async prepare(
    gen: number,
    type: CallType,
    mode: Mode,
    answering = false,
  ): Promise<{ acquired: Awaited<ReturnType<LocalMedia['acquire']>>; info: IceServersInfo } | null> {
    let acquired;
    let info;
    try {
      [acquired, info] = await Promise.all([this.deps.media.acquire(type), this.deps.ice.get(mode)]);
    } catch (e) {
      if (gen !== this.gen) return null;
      const message = e instanceof Error && e.name === 'IceError' ? e.message : mediaError(e, type).message;
      if (answering) void this.reject();
      this.end({ text: message, error: true });
      return null;
    }
    if (gen !== this.gen) {
      // Superseded (ended, or replaced by the stranger's call, which may be using the tracks now).
      if (this.snap.phase === 'idle') this.deps.media.idle();
      return null;
    }
    this.set({
      local: acquired.stream,
      version: this.snap.version + 1,
      sendsVideo: acquired.video !== null,
      policy: info.iceTransportPolicy,
    });
    if (acquired.notice) this.notify(acquired.notice, false);
    void this.refreshDevices();
    return { acquired, info };
  }

  private openPeer(
    gen: number,
    info: IceServersInfo,
    polite: boolean,
    type: CallType,
    acquired: Awaited<ReturnType<LocalMedia['acquire']>>,
    offer?: SessionDescription<'offer'>,
  ): CallPeer {
    const peer = new CallPeer(rtcConfiguration(info), {
      ...this.deps.peer,
      polite,
      setTimeout: this.deps.setTimeout,
      clearTimeout: this.deps.clearTimeout,
      warn: this.warn,
      sendDescription: (d) => void this.sendDescription(gen, d),
      sendCandidate: (candidate) => {
        if (gen === this.gen) void this.deps.link.signal('webrtc:ice-candidate', { candidate });
      },
      onState: (s) => this.onPeerState(gen, s),
      onRemoteStream: (remote) => {
        if (gen === this.gen) this.set({ remote, version: this.snap.version + 1 });
      },
    });
    this.peer = peer;
    if (offer) void peer.answer(offer, acquired);
    else peer.attach(acquired, type === 'video');
    this.pollStats(gen);
    return peer;
  }

  private async sendDescription(gen: number, d: SessionDescription): Promise<void> {
    if (gen !== this.gen) return;
    if (d.type === 'answer') {
      const r = await this.deps.link.signal('webrtc:answer', { answer: { type: 'answer', sdp: d.sdp } });
      if (!r.ok && gen === this.gen && (r.code === 'no_call' || r.code === 'not_in_chat')) {
        this.end({ text: CALL_TEXT.ended, error: false });
      }
      return;
    }
    const first = this.snap.phase === 'calling' && this.snap.direction === 'outgoing';
    const callType = this.snap.callType ?? 'audio';
    const r = await this.deps.link.signal('webrtc:offer', { offer: { type: 'offer', sdp: d.sdp }, callType });
    if (gen !== this.gen || !first || this.snap.phase !== 'calling') {
      if (!r.ok) this.warn(`hallway call: a renegotiation offer was refused (${r.code})`);
      return;
    }
    if (r.ok) {
      this.set({ ringEndsAt: this.deps.now() + this.ringMs });
      this.armRingTimer();
    } else if (r.code === 'busy') {
      // Glare and we are the polite side: the stranger's offer is on its way (and wins).
      this.setTimer('busy', BUSY_WAIT_MS, () => {
        if (gen === this.gen && this.snap.phase === 'calling') this.end({ text: CALL_TEXT.busy, error: false });
      });
    } else if (r.code === 'not_in_chat') {
      this.end(null);
    } else {
      this.end({ text: CALL_TEXT.failed, error: true });
    }
  }

  private onPeerState(gen: number, s: PeerState): void {
    if (gen !== this.gen) return;
    const phase = this.snap.phase;
    if (phase === 'idle' || phase === 'ringing' || phase === 'calling') return;
    if (s === 'connected') {
      this.set({ phase: 'connected', connectedAt: this.snap.connectedAt ?? this.deps.now() });
      void this.readQuality(gen);
    } else if (s === 'connecting') {
      this.set({ phase: 'connecting' });
    } else if (s === 'failed') {
      this.set({ phase: 'failed' });
    }
  }

  private armRingTimer(): void {
    // The server ends an unanswered call (webrtc:call-timeout); this only covers a lost event.
    this.setTimer('ring', this.ringMs + RING_GRACE_MS, () => {
      const p = this.snap.phase;
      if (p === 'calling' || p === 'ringing') {
        if (p === 'ringing') void this.reject();
        else void this.deps.link.signal('webrtc:call-end', {});
        this.end({ text: this.timeoutText(), error: false });
      }
    });
  }

  private async reject(): Promise<void> {
    const r = await this.deps.link.signal('webrtc:call-reject', {});
    // The server counts the call as active (e.g. this page was reloaded during it): end it.
    if (!r.ok && r.code === 'no_call') await this.deps.link.signal('webrtc:call-end', {});
  }

  private pollStats(gen: number): void {
    this.setTimer('stats', this.statsMs, () => {
      if (gen !== this.gen || !this.peer) return;
      void this.readQuality(gen).finally(() => this.pollStats(gen));
    });
  }

  private async readQuality(gen: number): Promise<void> {
    const peer = this.peer;
    const phase = this.snap.phase;
    if (!peer || (phase !== 'connecting' && phase !== 'connected' && phase !== 'failed')) return;
    let report;
    try {
      report = await peer.stats();
    } catch {
      return;
    }
    if (gen !== this.gen) return;
    const { quality, sample } = readStats(report, this.sample, this.deps.now());
    this.sample = sample;
    const remoteVideo = this.snap.remote?.getVideoTracks().some((t) => t.readyState === 'live') ?? false;
    const stalled = remoteVideo && this.snap.phase === 'connected' && quality.newFrames === 0;
    this.set({ quality, remoteVideoStalled: stalled });
  }

  private async refreshDevices(): Promise<void> {
    const devices = await this.deps.media.devices();
    if (this.disposed) return;
    this.set({
      devices,
      cameraId: this.deps.media.deviceId('video'),
      micId: this.deps.media.deviceId('audio'),
    });
  }

  /** Ends the call here (no signaling): the peer closes, the local stream is kept but idle. */
  private end(notice: { text: string; error: boolean } | null): void {
    const hadCall = this.snap.phase !== 'idle' || this.peer !== null;
    this.gen++;
    this.peer?.close();
    this.peer = null;
    this.incoming = null;
    for (const k of [...this.timers.keys()]) this.clearTimer(k);
    if (!hadCall) {
      if (notice) this.notify(notice.text, notice.error);
      return;
    }
    this.deps.media.idle();
    this.set({
      ...this.freshCall(),
      phase: 'idle',
      callType: null,
      direction: null,
      notice: notice ? { id: ++this.noticeId, ...notice } : null,
    });
  }

  private notify(text: string, error: boolean): void {
    this.set({ notice: { id: ++this.noticeId, text, error } });
  }

  private setTimer(key: 'ring' | 'busy' | 'stats', ms: number, fn: () => void): void {
    this.clearTimer(key);
    this.timers.set(
      key,
      this.deps.setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, ms),
    );
  }

  private clearTimer(key: 'ring' | 'busy' | 'stats'): void {
    const h = this.timers.get(key);
    if (h !== undefined) this.deps.clearTimeout(h);
    this.timers.delete(key);
  }

  private set(patch: Partial<CallSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of [...this.listeners]) fn();
  }
}
