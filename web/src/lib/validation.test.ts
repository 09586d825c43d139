import { describe, expect, it } from 'vitest';

import { addInterests, cleanMessage, codePoints, messageState, nicknameError, normalizeInterest } from './validation';

describe('interests', () => {
  it('normalizes like the server: trimmed, ASCII lower case', () => {
    expect(normalizeInterest('  Music ')).toEqual({ ok: true, tag: 'music' });
    expect(normalizeInterest('ÉCOLE')).toEqual({ ok: true, tag: 'École' }); // only ASCII is lower-cased
  });

  it('refuses empty, control characters and more than 30 code points', () => {
    expect(normalizeInterest('   ').ok).toBe(false);
    expect(normalizeInterest('a\tb').ok).toBe(false);
    expect(normalizeInterest('x'.repeat(31)).ok).toBe(false);
    expect(normalizeInterest('😀'.repeat(30))).toMatchObject({ ok: true });
  });

  it('adds, dedupes and stops at 10', () => {
    expect(addInterests(['a'], ['A', 'b', ' ', 'b'])).toEqual({ tags: ['a', 'b'], error: null });
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect(addInterests(ten, ['x'])).toEqual({ tags: ten, error: 'At most 10 interests.' });
    expect(addInterests([], ['x'.repeat(31), 'ok']).tags).toEqual(['ok']);
  });
});

describe('nickname', () => {
  it('empty or 3–20 [A-Za-z0-9_]', () => {
    expect(nicknameError('')).toBeNull();
    expect(nicknameError('neo_42')).toBeNull();
    expect(nicknameError('ab')).not.toBeNull();
    expect(nicknameError('a'.repeat(21))).not.toBeNull();
    expect(nicknameError('bad name')).not.toBeNull();
    expect(nicknameError('naïve')).not.toBeNull();
  });
});

describe('messages', () => {
  it('counts code points, sendable 1–1000 after trimming', () => {
    expect(codePoints('😀a')).toBe(2);
    expect(messageState('   ')).toMatchObject({ sendable: false, over: false });
    expect(messageState('😀'.repeat(1000))).toMatchObject({ count: 1000, sendable: true, over: false });
    expect(messageState('x'.repeat(1001))).toMatchObject({ sendable: false, over: true });
    expect(messageState(` ${'x'.repeat(1000)} `)).toMatchObject({ count: 1002, sendable: true });
  });

  it('drops control characters but keeps newline and tab', () => {
    expect(cleanMessage(' a\u0007b\nc\td\u001b ')).toBe('ab\nc\td');
  });
});
