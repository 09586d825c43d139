// "Save chat log": the conversation as plain text, built in the page and downloaded through a
// Blob URL. It never leaves the device.
import { formatDuration, formatSize } from '../files/format';
import type { Item } from './reducer';

const pad = (n: number) => String(n).padStart(2, '0');

/** HH:MM:SS in local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** hallway-chat-YYYYMMDD-HHMMSS.txt (local time). */
export function logFileName(ms: number): string {
  const d = new Date(ms);
  const date = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `hallway-chat-${date}-${time}.txt`;
}

const WHO = { me: 'You: ', stranger: 'Stranger: ', notice: '' } as const;

/** A shared file in the log: `[file: name (size)]`, `[voice note: 0:12]` (never its content). */
function fileText(it: Item): string | null {
  if (it.kind === 'notice' || !it.file) return null;
  const f = it.file;
  if (f.kind === 'voice') return `[voice note: ${formatDuration(f.duration ?? 0)}]`;
  return `[file: ${f.name} (${formatSize(f.size)})]`;
}

/**
 * One line per message, `[HH:MM:SS] You: text` / `[HH:MM:SS] Stranger: text`, and status lines
 * `[HH:MM:SS] Stranger has left.`. A message's further lines are indented under it. Messages
 * that never reached the server are marked. Files are listed by name and size.
 */
export function formatLog(items: readonly Item[]): string {
  const lines = items.map((it) => {
    const failed = it.kind === 'me' && (it.status === 'failed' || it.status === 'sending');
    const text = fileText(it) ?? it.text;
    const body = text.replace(/\r\n?/g, '\n').split('\n').join('\n           ');
    return `[${clock(it.at)}] ${WHO[it.kind]}${body}${failed ? ' (not sent)' : ''}`;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Starts the download of the log as a text file. */
export function downloadLog(items: readonly Item[], now: number, doc: Document = document): void {
  const blob = new Blob([formatLog(items)], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = logFileName(now);
  a.rel = 'noopener';
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the Blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
