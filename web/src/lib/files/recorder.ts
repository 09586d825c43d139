// Recording one voice note with MediaRecorder: asks for the microphone, records (Opus in WebM
// where the browser can, else what it offers), stops at the limit, releases the microphone after
// every recording. The browser APIs are injected: the tests drive fakes. No React.
import { MAX_VOICE_SECONDS, MIN_VOICE_SECONDS } from '../config';

/** Press the microphone button this long (ms) and release: the note is sent on release. A
 *  shorter press is a click: recording goes on until Send or Cancel. */
export const HOLD_MS = 300;

/** Preferred containers, best first (Opus in WebM: Chromium, Firefox; MP4/AAC: Safari). */
const CANDIDATES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];

export function pickVoiceMime(isTypeSupported: ((t: string) => boolean) | undefined): string | undefined {
  if (!isTypeSupported) return undefined;
  return CANDIDATES.find((t) => {
    try {
      return isTypeSupported(t);
    } catch {
      return false;
    }
  });
}

export const MIC_TEXT = {
  blocked: 'Microphone blocked — allow it in the browser to send voice notes',
  absent: 'No microphone found — connect one to send voice notes',
  busy: 'The microphone is in use by another app',
  insecure: 'Voice notes need a secure (https) connection',
  unsupported: "This browser can't record voice notes",
  tooShort: 'Voice note too short — hold the button for at least a second, or tap it and then tap Send',
  failed: 'The recording failed — please try again',
} as const;

/** Thrown by start(): `message` is for people. */
export class MicError extends Error {
  constructor(
    readonly code: keyof typeof MIC_TEXT,
    message: string = MIC_TEXT[code],
  ) {
    super(message);
    this.name = 'MicError';
  }
}

/** The message for a getUserMedia / MediaRecorder failure. */
export function micError(e: unknown): MicError {
  if (e instanceof MicError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new MicError('blocked');
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new MicError('absent');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new MicError('busy');
    default:
      return new MicError('failed');
  }
}

/** The parts of MediaRecorder a recording uses. */
export interface RecorderLike {
  readonly mimeType: string;
  readonly state: 'inactive' | 'recording' | 'paused';
  ondataavailable: ((e: { data: Blob }) => void) | null;
  onstop: (() => void) | null;
  onerror: ((e: unknown) => void) | null;
  start(timeslice?: number): void;
  stop(): void;
}
export interface StreamLike {
  getTracks(): { stop(): void }[];
}
export interface RecorderDeps {
  /** navigator.mediaDevices.getUserMedia; undefined where absent (an insecure page). */
  getUserMedia: ((c: { audio: boolean }) => Promise<StreamLike>) | undefined;
  /** new MediaRecorder(stream, options); undefined where the browser has none. */
  createRecorder: ((stream: StreamLike, mimeType: string | undefined) => RecorderLike) | undefined;
  isTypeSupported?: (t: string) => boolean;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  maxSeconds?: number;
  minSeconds?: number;
}

export type RecordingResult =
  | { ok: true; blob: Blob; seconds: number }
  | { ok: false; reason: 'too_short' | 'cancelled' | 'failed'; message?: string };

/**
 * One recording. `start()` resolves once recording runs (or rejects with a MicError);
 * `finish()` stops and resolves the note; `cancel()` drops it. `onLimit` is called when the
 * recording reaches the maximum length (the caller then finishes it, which sends it).
 */
export class VoiceRecording {
  private stream: StreamLike | null = null;
  private recorder: RecorderLike | null = null;
  private chunks: Blob[] = [];
  private startedAt = 0;
  private limitTimer: unknown = null;
  private stopped: Promise<Blob> | null = null;
  private cancelled = false;
  private readonly max: number;
  private readonly min: number;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly onLimit: () => void = () => undefined,
  ) {
    this.max = deps.maxSeconds ?? MAX_VOICE_SECONDS;
    this.min = deps.minSeconds ?? MIN_VOICE_SECONDS;
  }

  /** Unix ms when recording started (0 before). */
  get since(): number {
    return this.startedAt;
  }

  async start(): Promise<void> {
    const { getUserMedia, createRecorder } = this.deps;
    if (!getUserMedia) throw new MicError('insecure');
    if (!createRecorder) throw new MicError('unsupported');
    let stream: StreamLike;
    try {
      stream = await getUserMedia({ audio: true });
    } catch (e) {
      throw micError(e);
    }
    this.stream = stream;
    // Cancelled (the button released, the chat ended) while the permission was asked.
    if (this.cancelled) return this.release();
    try {
      const rec = createRecorder(stream, pickVoiceMime(this.deps.isTypeSupported));
      rec.ondataavailable = (e) => {
        if (e.data.size > 0) this.chunks.push(e.data);
      };
      rec.start(1000);
      this.recorder = rec;
    } catch (e) {
      this.release();
      throw micError(e);
    }
    this.startedAt = this.deps.now();
    this.limitTimer = this.deps.setTimeout(() => {
      this.limitTimer = null;
      this.onLimit();
    }, this.max * 1000);
  }

  /** Seconds recorded so far. */
  elapsed(): number {
    return this.startedAt ? Math.max(0, (this.deps.now() - this.startedAt) / 1000) : 0;
  }

  /** Stops and resolves the note (too short: discarded). */
  async finish(): Promise<RecordingResult> {
    if (this.cancelled) return { ok: false, reason: 'cancelled' };
    const rec = this.recorder;
    if (!rec) {
      this.cancel();
      return { ok: false, reason: 'too_short', message: MIC_TEXT.tooShort };
    }
    const seconds = Math.min(this.elapsed(), this.max);
    let blob: Blob;
    try {
      blob = await this.stop(rec);
    } catch {
      return { ok: false, reason: 'failed', message: MIC_TEXT.failed };
    }
    if (this.cancelled) return { ok: false, reason: 'cancelled' };
    if (seconds < this.min) return { ok: false, reason: 'too_short', message: MIC_TEXT.tooShort };
    if (blob.size === 0) return { ok: false, reason: 'failed', message: MIC_TEXT.failed };
    return { ok: true, blob, seconds };
  }

  /** Drops the recording and releases the microphone. */
  cancel(): void {
    this.cancelled = true;
    const rec = this.recorder;
    if (rec && rec.state !== 'inactive') {
      rec.onstop = null;
      try {
        rec.stop();
      } catch {
        // already stopped
      }
    }
    this.release();
  }

  private stop(rec: RecorderLike): Promise<Blob> {
    if (this.stopped) return this.stopped;
    this.stopped = new Promise<Blob>((resolve, reject) => {
      rec.onstop = () => {
        // The container without codec parameters: the server sniffs the bytes anyway, and the
        // declared type only refines the container (a WebM with audio only is audio/webm).
        const type = (rec.mimeType || pickVoiceMime(this.deps.isTypeSupported) || 'audio/webm').split(';')[0]!.trim();
        resolve(new Blob(this.chunks, { type }));
        this.release();
      };
      rec.onerror = (e) => {
        this.release();
        reject(e);
      };
      try {
        rec.stop();
      } catch (e) {
        this.release();
        reject(e);
      }
    });
    return this.stopped;
  }

  private release(): void {
    if (this.limitTimer !== null) this.deps.clearTimeout(this.limitTimer);
    this.limitTimer = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
  }
}

/** The seconds sent in X-Voice-Duration: one decimal, within the server's 1–300 s. */
export function voiceSeconds(seconds: number): number {
  return Math.min(MAX_VOICE_SECONDS, Math.max(MIN_VOICE_SECONDS, Math.round(seconds * 10) / 10));
}
