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

  it('an empty conversation is an empty file', () => {
    expect(formatLog([])).toBe('');
  });
});
