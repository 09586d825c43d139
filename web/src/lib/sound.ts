// Notification sounds made with WebAudio (no files): paired, new message, chat ended. The
// AudioContext is created on a user gesture only (browsers refuse it otherwise); muting is
// remembered in localStorage.

export type Chime = 'matched' | 'message' | 'ended';

const KEY = 'hallway.muted';
let ctx: AudioContext | null = null;

// Frequencies (Hz) and start offsets (s) of each chime's notes.
const NOTES: Record<Chime, [number, number][]> = {
  matched: [
    [523.25, 0],
    [783.99, 0.09],
  ],
  message: [[880, 0]],
  ended: [
    [659.25, 0],
    [440, 0.12],
  ],
};

export function isMuted(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export function setMuted(muted: boolean): void {
  try {
    if (muted) localStorage.setItem(KEY, '1');
    else localStorage.removeItem(KEY);
  } catch {
    // ignore: lasts for this page
  }
}

/** Call from a user gesture (click, key): creates or resumes the AudioContext. */
export function unlockAudio(): void {
  if (ctx) {
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    return;
  }
  const AC = window.AudioContext as typeof AudioContext | undefined;
  if (!AC) return;
  try {
    ctx = new AC();
  } catch {
    ctx = null;
  }
}

export function chime(kind: Chime): void {
  const c = ctx;
  if (!c || c.state !== 'running' || isMuted()) return;
  const t0 = c.currentTime;
  for (const [freq, at] of NOTES[kind]) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const start = t0 + at;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.12, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
    osc.connect(gain).connect(c.destination);
    osc.start(start);
    osc.stop(start + 0.25);
  }
}
