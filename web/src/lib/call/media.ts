// The page's one camera/microphone stream. iOS Safari allows one live capture per page: a second
// getUserMedia for the same kind of device ends the first one. So the stream is acquired once,
// kept across calls and matches (its tracks disabled between calls: the camera light goes off),
// and only the kinds a call lacks are asked for. Mute is track.enabled; switching a device asks
// for that one device and ends the old track. Released when the person leaves to the landing.
import type { CallType } from '../protocol/events';

export const MEDIA_TEXT = {
  blocked: 'Camera or microphone blocked — allow them for this site in the browser to call. The chat goes on.',
  micBlocked: 'Microphone blocked — allow it for this site in the browser to call. The chat goes on.',
  absent: 'No microphone found — connect one to call. The chat goes on.',
  busy: 'The camera or microphone is in use by another app. The chat goes on.',
  insecure: 'Calls need a secure (https) connection. The chat goes on.',
  failed: 'The camera or microphone could not be started. The chat goes on.',
  noCamera: 'No camera found — the call is audio only.',
  switchFailed: 'That device could not be started; the previous one is still in use.',
} as const;

export class MediaError extends Error {
  constructor(
    readonly code: 'blocked' | 'absent' | 'busy' | 'insecure' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** The message for a getUserMedia failure of a call of `type`. */
export function mediaError(e: unknown, type: CallType): MediaError {
  if (e instanceof MediaError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new MediaError('blocked', type === 'audio' ? MEDIA_TEXT.micBlocked : MEDIA_TEXT.blocked);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new MediaError('absent', MEDIA_TEXT.absent);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new MediaError('busy', MEDIA_TEXT.busy);
    default:
      return new MediaError('failed', MEDIA_TEXT.failed);
  }
}

export interface Device {
  id: string;
  label: string;
}
export interface Devices {
  cameras: Device[];
  microphones: Device[];
}

export interface MediaDeps {
  /** navigator.mediaDevices.getUserMedia; undefined where absent (an insecure page). */
  getUserMedia: ((c: MediaStreamConstraints) => Promise<MediaStream>) | undefined;
  enumerateDevices: (() => Promise<MediaDeviceInfo[]>) | undefined;
  /** new MediaStream(tracks). */
  createStream: (tracks: MediaStreamTrack[]) => MediaStream;
}

/** What a call gets: the tracks it sends (video null for an audio call or without a camera). */
export interface Acquired {
  stream: MediaStream;
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Something to tell the person (e.g. no camera: audio only). */
  notice: string | null;
}

const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' };
const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const live = (t: MediaStreamTrack | undefined | null): t is MediaStreamTrack => !!t && t.readyState === 'live';

export class LocalMedia {
  private stream: MediaStream | null = null;
  private pending: Promise<Acquired> | null = null;
  private listeners = new Set<() => void>();

  constructor(private readonly deps: MediaDeps) {}

  get audioTrack(): MediaStreamTrack | null {
    return this.stream?.getAudioTracks().find(live) ?? null;
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.stream?.getVideoTracks().find(live) ?? null;
  }

  /** The stream (for the self-view); the same object across calls unless released. */
  get current(): MediaStream | null {
    return this.stream;
  }

  /** Called when the tracks change (a device switched, a kind added). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The tracks for a call of `type`, asking only for what the stream lacks. Concurrent calls
   *  share one request. Rejects with a MediaError. */
  acquire(type: CallType): Promise<Acquired> {
    if (this.pending) return this.pending.then(() => this.acquire(type));
    const p = this.doAcquire(type).finally(() => {
      if (this.pending === p) this.pending = null;
    });
    this.pending = p;
    return p;
  }

  /** Between calls: nothing is captured visibly (tracks disabled), nothing is asked again. */
  idle(): void {
    for (const t of this.stream?.getTracks() ?? []) t.enabled = false;
  }

  /** Leaving: the devices are freed. */
  release(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    const had = this.stream !== null;
    this.stream = null;
    if (had) this.changed();
  }

  /** The devices to switch between (labels are known once a capture was allowed). */
  async devices(): Promise<Devices> {
    const list = (await this.deps.enumerateDevices?.().catch(() => [])) ?? [];
    const pick = (kind: MediaDeviceKind, fallback: string): Device[] =>
      list
        .filter((d) => d.kind === kind && d.deviceId !== '')
        .map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone') };
  }

  /** The device id of the live track of `kind`. */
  deviceId(kind: 'audio' | 'video'): string | null {
    const t = kind === 'audio' ? this.audioTrack : this.videoTrack;
    const id = t?.getSettings?.().deviceId;
    return typeof id === 'string' && id ? id : null;
  }

  /**
   * Switches the microphone or camera to `deviceId`: asks for that device alone, puts the new
   * track into the stream in place of the old one (which ends) and resolves the new track. The
   * new track keeps the old one's enabled state (mute, camera off).
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack> {
    const gum = this.deps.getUserMedia;
    if (!gum || !this.stream) throw new MediaError('failed', MEDIA_TEXT.switchFailed);
    const old = kind === 'audio' ? this.audioTrack : this.videoTrack;
    const base = kind === 'audio' ? AUDIO : { ...VIDEO, facingMode: undefined };
    let fresh: MediaStream;
    try {
      fresh = await gum({ [kind]: { ...base, deviceId: { exact: deviceId } } });
    } catch {
      throw new MediaError('failed', MEDIA_TEXT.switchFailed);
    }
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
    if (!track) throw new MediaError('failed', MEDIA_TEXT.switchFailed);
    if (old) {
      track.enabled = old.enabled;
      this.stream.removeTrack(old);
      old.stop();
    }
    this.stream.addTrack(track);
    this.changed();
    return track;
  }

  // ---- internals ----

  private async doAcquire(type: CallType): Promise<Acquired> {
    const wantVideo = type === 'video';
    let notice: string | null = null;
    const needAudio = !this.audioTrack;
    const needVideo = wantVideo && !this.videoTrack;
    if (needAudio || needVideo) {
      const gum = this.deps.getUserMedia;
      if (!gum) throw new MediaError('insecure', MEDIA_TEXT.insecure);
      let got: MediaStream;
      try {
        got = await gum({ audio: needAudio ? AUDIO : false, video: needVideo ? VIDEO : false });
      } catch (e) {
        const err = mediaError(e, type);
        // No camera (or a camera that cannot start) in a video call: audio only.
        if (!needVideo || (err.code !== 'absent' && err.code !== 'busy')) throw err;
        if (!needAudio) {
          got = this.deps.createStream([]);
        } else {
          got = await gum({ audio: AUDIO, video: false }).catch((e2: unknown) => {
            throw mediaError(e2, 'audio');
          });
        }
        notice = MEDIA_TEXT.noCamera;
      }
      this.adopt(got);
    }
    const audio = this.audioTrack;
    if (!audio) throw new MediaError('absent', MEDIA_TEXT.absent);
    const video = wantVideo ? this.videoTrack : null;
    // A new call starts unmuted with the camera on; an audio call shows and sends no video.
    audio.enabled = true;
    if (video) video.enabled = true;
    const other = this.videoTrack;
    if (!wantVideo && other) other.enabled = false;
    return { stream: this.stream as MediaStream, audio, video, notice };
  }

  private adopt(got: MediaStream): void {
    if (!this.stream) {
      this.stream = this.deps.createStream([]);
    }
    for (const t of got.getTracks()) {
      // Ended tracks of the same kind (a device unplugged) leave the stream.
      for (const old of this.stream.getTracks()) {
        if (old.kind === t.kind && old.readyState !== 'live') this.stream.removeTrack(old);
      }
      this.stream.addTrack(t);
    }
    this.changed();
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
