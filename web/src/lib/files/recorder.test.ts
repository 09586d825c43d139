import { describe, expect, it, vi } from 'vitest';

import {
  MIC_TEXT,
  MicError,
  VoiceRecording,
  micError,
  pickVoiceMime,
  voiceSeconds,
  type RecorderDeps,
  type RecorderLike,
  type StreamLike,
} from './recorder';

class FakeRecorder implements RecorderLike {
  state: 'inactive' | 'recording' | 'paused' = 'inactive';
  ondataavailable: ((e: { data: Blob }) => void) | null = null;
  onstop: (() => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  timeslice: number | undefined;
  constructor(readonly mimeType: string) {}
  start(timeslice?: number) {
    this.state = 'recording';
    this.timeslice = timeslice;
  }
  stop() {
    if (this.state === 'inactive') throw new Error('InvalidStateError');
    this.state = 'inactive';
    queueMicrotask(() => {
      this.ondataavailable?.({ data: new Blob([new Uint8Array([1, 2, 3])]) });
      this.onstop?.();
    });
  }
}

function setup(over: Partial<RecorderDeps> = {}) {
  let now = 1_000_000;
  const stops: number[] = [];
  const stream: StreamLike = { getTracks: () => [{ stop: () => stops.push(now) }] };
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const recorders: FakeRecorder[] = [];
  const getUserMedia = vi.fn(async () => stream);
  const deps: RecorderDeps = {
    getUserMedia,
    createRecorder: (_s, mime) => {
      const r = new FakeRecorder(mime ?? '');
      recorders.push(r);
      return r;
    },
    isTypeSupported: (t) => t === 'audio/webm;codecs=opus',
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => void ((h as { cleared: boolean }).cleared = true),
    ...over,
  };
  return { deps, stops, timers, recorders, getUserMedia, advance: (ms: number) => (now += ms) };
}

describe('pickVoiceMime', () => {
  it('Opus in WebM first, then Ogg, plain WebM, MP4; nothing when none or unknown', () => {
    expect(pickVoiceMime((t) => t.startsWith('audio/'))).toBe('audio/webm;codecs=opus');
    expect(pickVoiceMime((t) => t.includes('ogg'))).toBe('audio/ogg;codecs=opus');
    expect(pickVoiceMime((t) => t === 'audio/mp4')).toBe('audio/mp4');
    expect(pickVoiceMime(() => false)).toBeUndefined();
    expect(pickVoiceMime(undefined)).toBeUndefined();
    expect(
      pickVoiceMime(() => {
        throw new Error('x');
      }),
    ).toBeUndefined();
  });
});

describe('micError', () => {
  it('names what went wrong, for people', () => {
    const named = (name: string) => micError(Object.assign(new Error('x'), { name })).message;
    expect(named('NotAllowedError')).toBe('Microphone blocked — allow it in the browser to send voice notes');
    expect(named('SecurityError')).toBe(MIC_TEXT.blocked);
    expect(named('NotFoundError')).toBe(MIC_TEXT.absent);
    expect(named('NotReadableError')).toBe(MIC_TEXT.busy);
    expect(named('Weird')).toBe(MIC_TEXT.failed);
    expect(micError(null).message).toBe(MIC_TEXT.failed);
  });
});

describe('VoiceRecording', () => {
  it('records and resolves the note with its length; the microphone is released', async () => {
    const t = setup();
    const r = new VoiceRecording(t.deps);
    await r.start();
    expect(t.getUserMedia).toHaveBeenCalledWith({ audio: true });
    expect(t.recorders[0]!.mimeType).toBe('audio/webm;codecs=opus');
    expect(t.timers[0]!.ms).toBe(300_000);
    t.advance(2500);
    expect(r.elapsed()).toBe(2.5);
    const res = await r.finish();
    expect(res.ok).toBe(true);
    if (res.ok) {
      expect(res.seconds).toBe(2.5);
      expect(res.blob.type).toBe('audio/webm');
      expect(res.blob.size).toBe(3);
    }
    expect(t.stops).toHaveLength(1);
    expect(t.timers[0]!.cleared).toBe(true);
  });

  it('under a second: discarded with a hint', async () => {
    const t = setup();
    const r = new VoiceRecording(t.deps);
    await r.start();
    t.advance(600);
    expect(await r.finish()).toEqual({ ok: false, reason: 'too_short', message: MIC_TEXT.tooShort });
    expect(t.stops).toHaveLength(1);
  });

  it('released before the microphone answered: discarded, and the microphone released after', async () => {
    let grant!: (s: StreamLike) => void;
    const stops: number[] = [];
    const stream = { getTracks: () => [{ stop: () => stops.push(1) }] };
    const t = setup({ getUserMedia: () => new Promise((r) => (grant = r)) });
    const r = new VoiceRecording(t.deps);
    const started = r.start();
    expect(await r.finish()).toMatchObject({ ok: false, reason: 'too_short' });
    grant(stream);
    await started;
    expect(stops).toHaveLength(1);
    expect(t.recorders).toHaveLength(0);
  });

  it('at the limit onLimit is called (the caller finishes and sends)', async () => {
    const t = setup({ maxSeconds: 5 });
    const onLimit = vi.fn();
    const r = new VoiceRecording(t.deps, onLimit);
    await r.start();
    expect(t.timers[0]!.ms).toBe(5000);
    t.advance(5200);
    t.timers[0]!.fn();
    expect(onLimit).toHaveBeenCalledTimes(1);
    const res = await r.finish();
    expect(res).toMatchObject({ ok: true, seconds: 5 });
  });

  it('cancel drops the note and releases the microphone', async () => {
    const t = setup();
    const r = new VoiceRecording(t.deps);
    await r.start();
    t.advance(3000);
    r.cancel();
    expect(t.stops).toHaveLength(1);
    expect(t.recorders[0]!.state).toBe('inactive');
    expect(await r.finish()).toEqual({ ok: false, reason: 'cancelled' });
  });

  it('a refused microphone, an insecure page, a browser without MediaRecorder', async () => {
    const denied = setup({
      getUserMedia: async () => {
        throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
      },
    });
    await expect(new VoiceRecording(denied.deps).start()).rejects.toThrow(MIC_TEXT.blocked);
    await expect(new VoiceRecording(setup({ getUserMedia: undefined }).deps).start()).rejects.toMatchObject({
      code: 'insecure',
    });
    const noRec = setup({ createRecorder: undefined });
    await expect(new VoiceRecording(noRec.deps).start()).rejects.toBeInstanceOf(MicError);
    expect(noRec.getUserMedia).not.toHaveBeenCalled();
  });

  it('a recorder that cannot start releases the microphone', async () => {
    const t = setup({
      createRecorder: () => {
        throw Object.assign(new Error('x'), { name: 'NotSupportedError' });
      },
    });
    await expect(new VoiceRecording(t.deps).start()).rejects.toThrow(MIC_TEXT.failed);
    expect(t.stops).toHaveLength(1);
  });
});

describe('voiceSeconds', () => {
  it('one decimal within 1–300', () => {
    expect(voiceSeconds(2.345)).toBe(2.3);
    expect(voiceSeconds(0.98)).toBe(1);
    expect(voiceSeconds(301)).toBe(300);
  });
});
