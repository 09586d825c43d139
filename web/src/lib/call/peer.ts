// One call's RTCPeerConnection, without React: perfect negotiation (the `polite` flag of
// user:matched decides glare), ICE candidates buffered until the remote description is set, and
// ICE restarts when the connection fails. The browser API is injected: the tests drive a fake.
import type { IceCandidate, SessionDescription } from '../protocol/events';

/** The parts of RTCRtpSender a call uses. */
export interface SenderLike {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}
/** The parts of RTCPeerConnection a call uses. */
export interface PeerConnectionLike {
  readonly signalingState: RTCSignalingState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly remoteDescription: { type: RTCSdpType; sdp: string } | null;
  readonly localDescription: { type: RTCSdpType; sdp: string } | null;
  onnegotiationneeded: ((ev: unknown) => void) | null;
  onicecandidate: ((ev: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null;
  oniceconnectionstatechange: ((ev: unknown) => void) | null;
  ontrack: ((ev: { track: MediaStreamTrack; streams: readonly MediaStream[] }) => void) | null;
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): SenderLike;
  addTransceiver(kind: 'audio' | 'video', init: { direction: RTCRtpTransceiverDirection }): unknown;
  setLocalDescription(desc?: { type: RTCSdpType; sdp?: string }): Promise<void>;
  setRemoteDescription(desc: { type: RTCSdpType; sdp: string }): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  restartIce(): void;
  getStats(): Promise<Map<string, Record<string, unknown>> | RTCStatsReport>;
  close(): void;
}

/** connecting: setting up or recovering (an ICE restart); failed: gave up, `retry()` tries again. */
export type PeerState = 'connecting' | 'connected' | 'failed' | 'closed';

export interface PeerDeps {
  createPeerConnection: (config: RTCConfiguration) => PeerConnectionLike;
  /** Wraps the remote tracks for a <video>/<audio> element (new MediaStream() in the browser). */
  createStream: () => MediaStream;
  polite: boolean;
  /** Sends an offer or an answer (webrtc:offer / webrtc:answer). */
  sendDescription: (desc: SessionDescription) => void;
  sendCandidate: (candidate: IceCandidate) => void;
  onState: (state: PeerState) => void;
  onRemoteStream: (stream: MediaStream) => void;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  warn?: (msg: string) => void;
  /** ICE restarts tried on their own before the call is shown as failed (Retry restarts again). */
  autoRestarts?: number;
  /** How long "disconnected" may last before an ICE restart (ms). */
  disconnectedMs?: number;
  /** How long a restart may take before it counts as failed (ms). */
  restartTimeoutMs?: number;
}

export interface LocalTracks {
  stream: MediaStream;
  audio: MediaStreamTrack | null;
  /** null: no video sent (an audio call, no camera); the call still receives video if `video`. */
  video: MediaStreamTrack | null;
}

/** Candidates kept while the remote description is not set (an ICE burst is a few dozen). */
const MAX_PENDING_CANDIDATES = 200;

export class CallPeer {
  private readonly pc: PeerConnectionLike;
  private chain: Promise<void> = Promise.resolve();
  private ignoreOffer = false;
  /** The ICE username fragment of an offer ignored in glare: its candidates are dropped. */
  private ignoredUfrag: string | null = null;
  private pending: IceCandidate[] = [];
  private audioSender: SenderLike | null = null;
  private videoSender: SenderLike | null = null;
  private remote: MediaStream | null = null;
  private state: PeerState = 'connecting';
  private restarts = 0;
  private disconnectTimer: unknown = null;
  private restartTimer: unknown = null;
  private closed = false;
  private readonly maxRestarts: number;
  private readonly warn: (msg: string) => void;

  constructor(
    config: RTCConfiguration,
    private readonly deps: PeerDeps,
  ) {
    this.maxRestarts = deps.autoRestarts ?? 2;
    this.warn = deps.warn ?? ((m) => console.warn(m));
    const pc = deps.createPeerConnection(config);
    this.pc = pc;
    // Our own offers go through the same queue as the remote descriptions: the two never
    // interleave, so a collision is simply "an offer while we are not stable".
    pc.onnegotiationneeded = () => this.enqueue(() => this.makeOffer());
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return; // the end of gathering: nothing to tell (the remote needs no sign)
      const c = candidate.toJSON();
      if (!c.candidate) return;
      const out: IceCandidate = { candidate: c.candidate };
      if (c.sdpMid != null) out.sdpMid = c.sdpMid;
      if (c.sdpMLineIndex != null) out.sdpMLineIndex = c.sdpMLineIndex;
      if (c.usernameFragment != null) out.usernameFragment = c.usernameFragment;
      this.deps.sendCandidate(out);
    };
    pc.oniceconnectionstatechange = () => this.onIceState();
    pc.ontrack = ({ track, streams }) => {
      // One stream for the remote side, whatever the sender grouped (an audio call has no video).
      const stream = this.remote ?? streams[0] ?? this.deps.createStream();
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
      if (this.remote !== stream) {
        this.remote = stream;
      }
      this.deps.onRemoteStream(stream);
    };
  }

  /**
   * Adds the local tracks (the caller's triggers its offer). With `receiveVideo` and no local
   * video track the call still receives the other side's video.
   */
  attach(local: LocalTracks, receiveVideo: boolean): void {
    if (local.audio) this.audioSender = this.pc.addTrack(local.audio, local.stream);
    else this.pc.addTransceiver('audio', { direction: 'recvonly' });
    if (local.video) this.videoSender = this.pc.addTrack(local.video, local.stream);
    else if (receiveVideo) this.pc.addTransceiver('video', { direction: 'recvonly' });
  }

  /**
   * The callee's side of a new call: the offer first, then the local tracks (they take the
   * offer's transceivers, so no offer of our own is needed), then the answer.
   */
  answer(offer: SessionDescription<'offer'>, local: LocalTracks): Promise<void> {
    return this.enqueue(async () => {
      await this.pc.setRemoteDescription(offer);
      if (local.audio) this.audioSender = this.pc.addTrack(local.audio, local.stream);
      if (local.video) this.videoSender = this.pc.addTrack(local.video, local.stream);
      await this.flushCandidates();
      await this.sendAnswer();
    });
  }

  /** A remote offer or answer (perfect negotiation). Resolves once handled. */
  receive(desc: SessionDescription): Promise<void> {
    return this.enqueue(() => this.onDescription(desc));
  }

  /** A remote ICE candidate: kept until the remote description is set, then added. */
  addCandidate(c: IceCandidate): Promise<void> {
    return this.enqueue(async () => {
      if (c.usernameFragment && c.usernameFragment === this.ignoredUfrag) return;
      if (!this.pc.remoteDescription) {
        if (this.pending.length < MAX_PENDING_CANDIDATES) this.pending.push(c);
        return;
      }
      await this.add(c);
    });
  }

  /** The sent video: a track, or null (camera off: nothing is sent, no frozen frame). */
  async setVideoTrack(track: MediaStreamTrack | null): Promise<void> {
    await this.videoSender?.replaceTrack(track);
  }

  async setAudioTrack(track: MediaStreamTrack | null): Promise<void> {
    await this.audioSender?.replaceTrack(track);
  }

  /** "Retry" after a failure: one more ICE restart (and the automatic ones again). */
  retry(): void {
    if (this.closed) return;
    this.restarts = 0;
    this.restart();
  }

  stats(): Promise<Map<string, Record<string, unknown>> | RTCStatsReport> {
    return this.pc.getStats();
  }

  get current(): PeerState {
    return this.state;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.close();
    this.setState('closed');
  }

  // ---- internals ----

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await op();
      } catch (e) {
        this.warn(`hallway call: ${(e as Error)?.name ?? 'error'}: ${(e as Error)?.message ?? e}`);
      }
    });
    this.chain = run;
    return run;
  }

  private async makeOffer(): Promise<void> {
    // Not stable: an exchange is under way; negotiationneeded fires again once it is if needed.
    if (this.pc.signalingState !== 'stable') return;
    await this.pc.setLocalDescription();
    const d = this.pc.localDescription;
    if (d && d.type === 'offer' && !this.closed) this.deps.sendDescription({ type: 'offer', sdp: d.sdp });
  }

  private async onDescription(desc: SessionDescription): Promise<void> {
    const collision = desc.type === 'offer' && this.pc.signalingState !== 'stable';
    this.ignoreOffer = !this.deps.polite && collision;
    if (this.ignoreOffer) {
      // Glare, impolite: our offer wins, the other side rolls back.
      this.ignoredUfrag = /^a=ice-ufrag:(\S+)/m.exec(desc.sdp)?.[1] ?? null;
      return;
    }
    if (desc.type === 'answer' && this.pc.signalingState !== 'have-local-offer') return; // stale
    // Glare, polite: drop our own offer and take theirs.
    if (collision) await this.pc.setLocalDescription({ type: 'rollback' });
    await this.pc.setRemoteDescription(desc);
    await this.flushCandidates();
    if (desc.type === 'offer') await this.sendAnswer();
  }

  private async sendAnswer(): Promise<void> {
    await this.pc.setLocalDescription();
    const d = this.pc.localDescription;
    if (d && d.type === 'answer' && !this.closed) this.deps.sendDescription({ type: 'answer', sdp: d.sdp });
  }

  private async flushCandidates(): Promise<void> {
    const list = this.pending;
    this.pending = [];
    for (const c of list) await this.add(c);
  }

  private async add(c: IceCandidate): Promise<void> {
    try {
      await this.pc.addIceCandidate(c);
    } catch (e) {
      // Candidates of an offer we ignored (glare) fail by design.
      if (!this.ignoreOffer) this.warn(`hallway call: a remote ICE candidate was refused (${(e as Error)?.name})`);
    }
  }

  private onIceState(): void {
    const s = this.pc.iceConnectionState;
    if (s === 'connected' || s === 'completed') {
      this.clearTimers();
      this.restarts = 0;
      this.setState('connected');
    } else if (s === 'failed') {
      this.clearTimers();
      if (this.restarts < this.maxRestarts) this.restart();
      else this.setState('failed');
    } else if (s === 'disconnected') {
      // Often a blip (Wi-Fi to mobile): give it a moment, then restart ICE.
      this.setState('connecting');
      if (this.disconnectTimer === null) {
        this.disconnectTimer = this.deps.setTimeout(() => {
          this.disconnectTimer = null;
          if (this.pc.iceConnectionState === 'disconnected') this.restart();
        }, this.deps.disconnectedMs ?? 4000);
      }
    } else if (s === 'closed') {
      this.setState('closed');
    }
  }

  private restart(): void {
    this.restarts++;
    this.setState('connecting');
    this.pc.restartIce();
    if (this.restartTimer !== null) this.deps.clearTimeout(this.restartTimer);
    this.restartTimer = this.deps.setTimeout(() => {
      this.restartTimer = null;
      const s = this.pc.iceConnectionState;
      if (s === 'connected' || s === 'completed' || this.closed) return;
      if (this.restarts < this.maxRestarts) this.restart();
      else this.setState('failed');
    }, this.deps.restartTimeoutMs ?? 15_000);
  }

  private clearTimers(): void {
    if (this.disconnectTimer !== null) this.deps.clearTimeout(this.disconnectTimer);
    if (this.restartTimer !== null) this.deps.clearTimeout(this.restartTimer);
    this.disconnectTimer = null;
    this.restartTimer = null;
  }

  private setState(s: PeerState): void {
    if (this.state === s || this.state === 'closed') return;
    this.state = s;
    this.deps.onState(s);
  }
}
