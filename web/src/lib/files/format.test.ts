import { describe, expect, it } from 'vitest';

import { formatDuration, formatSize, guessKind, spokenDuration, voiceFileName } from './format';

describe('formatSize', () => {
  it('bytes, KB, MB in binary units', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(12_800)).toBe('13 KB');
    expect(formatSize(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatSize(8.4 * 1024 * 1024)).toBe('8.4 MB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3 GB');
    expect(formatSize(-1)).toBe('');
    expect(formatSize(Number.NaN)).toBe('');
  });
});

describe('durations', () => {
  it('m:ss, rounded down', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(1.99)).toBe('0:01');
    expect(formatDuration(12.6)).toBe('0:12');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(300)).toBe('5:00');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('0:00');
    expect(formatDuration(-3)).toBe('0:00');
  });

  it('spoken', () => {
    expect(spokenDuration(1)).toBe('1 second');
    expect(spokenDuration(12)).toBe('12 seconds');
    expect(spokenDuration(60)).toBe('1 minute');
    expect(spokenDuration(125)).toBe('2 minutes 5 seconds');
  });
});

describe('guessKind and voice names', () => {
  it('by the claimed type', () => {
    expect(guessKind('image/png')).toBe('image');
    expect(guessKind('VIDEO/mp4')).toBe('video');
    expect(guessKind('audio/mpeg')).toBe('audio');
    expect(guessKind('audio/webm;codecs=opus', true)).toBe('voice');
    expect(guessKind('application/zip')).toBe('archive');
    expect(guessKind('application/x-7z-compressed')).toBe('archive');
    expect(guessKind('application/pdf')).toBe('document');
    expect(guessKind('')).toBe('document');
  });

  it('a recording is named by its container', () => {
    expect(voiceFileName('audio/webm;codecs=opus')).toBe('voice-note.webm');
    expect(voiceFileName('audio/ogg;codecs=opus')).toBe('voice-note.ogg');
    expect(voiceFileName('audio/mp4')).toBe('voice-note.m4a');
    expect(voiceFileName('')).toBe('voice-note.webm');
  });
});
