// Stand-ins for RTCPeerConnection, MediaStream and MediaStreamTrack in unit tests. The peer
// connection follows the signaling state machine strictly: an offer while not stable is refused
// (so a test sees whether the code rolled back), candidates need a remote description.
import type { PeerConnectionLike, SenderLike } from './peer';

export class FakeTrack {
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  stopped = false;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId = `${kind}-1`,
  ) {}
  stop(): void {
    this.stopped = true;
    this.readyState = 'ended';
  }
  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }
}

export class FakeStream {
  private tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: FakeTrack): void {
    if (!this.tracks.includes(t)) this.tracks.push(t);
  }
  removeTrack(t: FakeTrack): void {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

export const asTrack = (t: FakeTrack) => t as unknown as MediaStreamTrack;
export const asStream = (s: FakeStream) => s as unknown as MediaStream;

class FakeSender implements SenderLike {
  replaced: (MediaStreamTrack | null)[] = [];
  constructor(public track: MediaStreamTrack | null) {}
  async replaceTrack(t: MediaStreamTrack | null): Promise<void> {
    this.replaced.push(t);
    this.track = t;
  }
}

type Desc = { type: RTCSdpType; sdp: string };

export class FakePeerConnection implements PeerConnectionLike {
  signalingState: RTCSignalingState = 'stable';
  iceConnectionState: RTCIceConnectionState = 'new';
  remoteDescription: Desc | null = null;
  localDescription: Desc | null = null;
  onnegotiationneeded: ((ev: unknown) => void) | null = null;
  onicecandidate: PeerConnectionLike['onicecandidate'] = null;
  oniceconnectionstatechange: ((ev: unknown) => void) | null = null;
  ontrack: PeerConnectionLike['ontrack'] = null;
  senders: FakeSender[] = [];
  transceivers: { kind: string; direction: string }[] = [];
  candidates: RTCIceCandidateInit[] = [];
  /** Every signaling call in order, e.g. "setLocal:offer", "setRemote:answer", "setLocal:rollback". */
  log: string[] = [];
  restarts = 0;
  closed = false;
  stats = new Map<string, Record<string, unknown>>();
  private offers = 0;
  private restartPending = false;
  /** Like a browser: negotiation is needed for a track added outside an incoming offer, fired
   *  only when stable (else once it is stable again). */
  private needed = false;

  constructor(
    readonly config: RTCConfiguration,
    readonly ufrag = 'local',
  ) {}

  addTrack(track: MediaStreamTrack): SenderLike {
    const s = new FakeSender(track);
    this.senders.push(s);
    this.negotiationNeeded();
    return s;
  }

  addTransceiver(kind: 'audio' | 'video', init: { direction: RTCRtpTransceiverDirection }): unknown {
    this.transceivers.push({ kind, direction: init.direction });
    this.negotiationNeeded();
    return {};
  }

  async setLocalDescription(desc?: { type: RTCSdpType; sdp?: string }): Promise<void> {
    await Promise.resolve();
    if (desc?.type === 'rollback') {
      this.log.push('setLocal:rollback');
      if (this.signalingState !== 'have-local-offer') throw named('InvalidStateError');
      this.signalingState = 'stable';
      this.localDescription = null;
      return;
    }
    if (this.signalingState === 'stable') {
      this.offers++;
      const restart = this.restartPending ? ' ice-restart' : '';
      this.restartPending = false;
      this.localDescription = { type: 'offer', sdp: `offer-${this.offers}${restart}\r\na=ice-ufrag:${this.ufrag}\r\n` };
      this.signalingState = 'have-local-offer';
      this.needed = false;
      this.log.push('setLocal:offer');
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: `answer\r\na=ice-ufrag:${this.ufrag}\r\n` };
      this.signalingState = 'stable';
      this.log.push('setLocal:answer');
      this.fireIfNeeded();
    } else {
      throw named('InvalidStateError');
    }
  }

  async setRemoteDescription(desc: Desc): Promise<void> {
    await Promise.resolve();
    this.log.push(`setRemote:${desc.type}`);
    if (desc.type === 'offer') {
      if (this.signalingState !== 'stable') throw named('InvalidStateError');
      this.signalingState = 'have-remote-offer';
    } else if (desc.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw named('InvalidStateError');
      this.signalingState = 'stable';
      this.remoteDescription = desc;
      this.fireIfNeeded();
      return;
    }
    this.remoteDescription = desc;
  }

  async addIceCandidate(c: RTCIceCandidateInit): Promise<void> {
    await Promise.resolve();
    if (!this.remoteDescription) throw named('InvalidStateError');
    this.candidates.push(c);
  }

  restartIce(): void {
    this.restarts++;
    this.restartPending = true;
    this.negotiationNeeded();
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.stats;
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
  }

  // ---- what the network does ----

  setIceState(s: RTCIceConnectionState): void {
    this.iceConnectionState = s;
    this.oniceconnectionstatechange?.({});
  }

  gather(candidate: RTCIceCandidateInit | null): void {
    this.onicecandidate?.({ candidate: candidate ? { toJSON: () => candidate } : null });
  }

  remoteTrack(track: FakeTrack, stream?: FakeStream): void {
    this.ontrack?.({ track: asTrack(track), streams: stream ? [asStream(stream)] : [] });
  }

  private negotiationNeeded(): void {
    if (this.signalingState === 'have-remote-offer') return; // the answer covers it
    this.needed = true;
    this.fireIfNeeded();
  }

  private fireIfNeeded(): void {
    if (!this.needed || this.signalingState !== 'stable') return;
    queueMicrotask(() => {
      if (this.needed && this.signalingState === 'stable') this.onnegotiationneeded?.({});
    });
  }
}

function named(name: string): Error {
  const e = new Error(name);
  e.name = name;
  return e;
}

/** Lets every pending promise callback run (the peer's queue is a promise chain). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
