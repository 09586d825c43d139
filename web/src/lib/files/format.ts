// How files are named and measured on screen and in the chat log. Pure functions.
import type { FileKind } from '../protocol/events';

/** "512 B", "12 KB", "1.5 MB", "10 MB" (binary units, as the 10 MiB limit is "10 MB"). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const shown = v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  return `${shown} ${units[u]}`;
}

/** m:ss of a number of seconds (rounded down; 0:00 for anything not a finite positive number). */
export function formatDuration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A spoken form of a duration for accessible names: "12 seconds", "1 minute 5 seconds". */
export function spokenDuration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const m = Math.floor(s / 60);
  const r = s % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (m === 0) return part(r, 'second');
  return r === 0 ? part(m, 'minute') : `${part(m, 'minute')} ${part(r, 'second')}`;
}

const ARCHIVES = new Set([
  'application/zip',
  'application/x-zip-compressed',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-7z-compressed',
]);

/** What the page shows for a file of its own before the server classified it (by the browser's
 *  claimed type, which the server ignores in favour of the content). */
export function guessKind(mime: string, voice = false): FileKind {
  if (voice) return 'voice';
  const m = mime.toLowerCase().split(';')[0]!.trim();
  if (m.startsWith('image/')) return 'image';
  if (m.startsWith('video/')) return 'video';
  if (m.startsWith('audio/')) return 'audio';
  if (ARCHIVES.has(m)) return 'archive';
  return 'document';
}

/** The file name of a recorded voice note, by its container. */
export function voiceFileName(mime: string): string {
  const m = mime.toLowerCase();
  if (m.includes('ogg')) return 'voice-note.ogg';
  if (m.includes('mp4') || m.includes('aac') || m.includes('m4a')) return 'voice-note.m4a';
  if (m.includes('mpeg')) return 'voice-note.mp3';
  if (m.includes('wav')) return 'voice-note.wav';
  return 'voice-note.webm';
}
