import { describe, expect, it } from 'vitest';

import { clock, formatLog, logFileName } from './log';
import type { Item } from './reducer';

const at = (h: number, m: number, s: number) => new Date(2024, 2, 5, h, m, s).getTime();

describe('chat log', () => {
  it('file name is hallway-chat-YYYYMMDD-HHMMSS.txt in local time', () => {
    expect(logFileName(new Date(2024, 0, 9, 7, 5, 3).getTime())).toBe('hallway-chat-20240109-070503.txt');
    expect(logFileName(new Date(2023, 11, 31, 23, 59, 59).getTime())).toBe('hallway-chat-20231231-235959.txt');
  });

  it('clock is HH:MM:SS', () => {
    expect(clock(at(9, 4, 7))).toBe('09:04:07');
  });

  it('one line per message and status lines', () => {
    const items: Item[] = [
      { kind: 'notice', id: 'n0', text: "You're now chatting with a stranger. Say hi!", at: at(10, 0, 0) },
      { kind: 'me', id: 'a', text: 'hi', at: at(10, 0, 5), status: 'read' },
      { kind: 'stranger', id: 'b', text: 'hello <b>you</b>', at: at(10, 0, 9) },
      { kind: 'notice', id: 'n1', text: 'Stranger has left.', at: at(10, 1, 0) },
    ];
    expect(formatLog(items)).toBe(
      [
        "[10:00:00] You're now chatting with a stranger. Say hi!",
        '[10:00:05] You: hi',
        '[10:00:09] Stranger: hello <b>you</b>',
        '[10:01:00] Stranger has left.',
        '',
      ].join('\n'),
    );
  });

  it('further lines of a message are indented; unsent messages are marked', () => {
    const items: Item[] = [
      { kind: 'me', id: 'a', text: 'line one\r\nline two', at: at(1, 2, 3), status: 'sent' },
      { kind: 'me', id: 'b', text: 'lost', at: at(1, 2, 4), status: 'failed' },
    ];
    expect(formatLog(items)).toBe('[01:02:03] You: line one\n           line two\n[01:02:04] You: lost (not sent)\n');
  });

  it('files by name and size, voice notes by duration; never a url; unsent ones marked', () => {
    const png = { name: 'cat.png', size: 12_800, mime: 'image/png', kind: 'image' as const, url: '/api/files/a?k=secret' };
    const items: Item[] = [
      { kind: 'me', id: 'a', text: '', at: at(1, 0, 0), status: 'read', file: png },
      {
        kind: 'stranger',
        id: 'b',
        text: '',
        at: at(1, 0, 1),
        file: { name: 'report.pdf', size: 1_572_864, mime: 'application/pdf', kind: 'document', url: '/api/files/b?k=x' },
      },
      {
        kind: 'stranger',
        id: 'c',
        text: '',
        at: at(1, 0, 2),
        file: { name: 'voice-note.webm', size: 9000, mime: 'audio/webm', kind: 'voice', url: '/api/files/c', duration: 12.6 },
      },
      {
        kind: 'me',
        id: 'd',
        text: '',
        at: at(1, 0, 3),
        status: 'sending',
        file: { ...png, name: 'big.zip', size: 8 * 1024 * 1024, kind: 'archive', url: '' },
        upload: { state: 'uploading', loaded: 10, total: 100 },
      },
      { kind: 'me', id: 'e', text: '', at: at(1, 0, 4), status: 'sent', file: { ...png, kind: 'voice', duration: 75 } },
    ];
    const log = formatLog(items);
    expect(log).toBe(
      [
        '[01:00:00] You: [file: cat.png (13 KB)]',
        '[01:00:01] Stranger: [file: report.pdf (1.5 MB)]',
        '[01:00:02] Stranger: [voice note: 0:12]',
        '[01:00:03] You: [file: big.zip (8 MB)] (not sent)',
        '[01:00:04] You: [voice note: 1:15]',
        '',
      ].join('\n'),
    );
    expect(log).not.toContain('secret');
  });

  it('an empty conversation is an empty file', () => {
    expect(formatLog([])).toBe('');
  });
});
