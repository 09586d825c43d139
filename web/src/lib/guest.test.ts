import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { GuestError, GuestStore } from './guest';

const HOUR = 3600_000;

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    map: m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

function res(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (k: string) => headers[k.toLowerCase()] ?? null },
    json: async () => body,
  } as unknown as Response;
}

type Call = { url: string; init: RequestInit };

function setup(storage = memoryStorage()) {
  const calls: Call[] = [];
  let n = 0;
  const replies: Array<(c: Call) => Response> = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    const c = { url, init };
    calls.push(c);
    const next = replies.shift();
    if (next) return next(c);
    n++;
    return res(url.endsWith('/refresh') ? 200 : 201, {
      token: `t${n}`,
      expiresAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      user: { id: url.endsWith('/refresh') ? 'same' : `g${n}`, username: `User${n}`, language: null, interests: [] },
    });
  });
  const store = new GuestStore({
    fetch: fetch as unknown as typeof globalThis.fetch,
    storage,
    origin: 'http://h:3000',
    now: Date.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
  return { store, calls, replies, storage };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('guest', () => {
  it('creates a guest with nickname, interests and language', async () => {
    const t = setup();
    const g = await t.store.create({ nickname: 'neo_1', interests: ['a'], language: 'en-GB' });
    expect(t.calls[0]!.url).toBe('http://h:3000/api/guest');
    expect(t.calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(t.calls[0]!.init.body as string)).toEqual({ username: 'neo_1', interests: ['a'], language: 'en-GB' });
    expect(g.token).toBe('t1');
    expect(t.store.token()).toBe('t1');
  });

  it('leaves out an empty nickname and language', async () => {
    const t = setup();
    await t.store.create({ nickname: '', interests: [], language: null });
    expect(JSON.parse(t.calls[0]!.init.body as string)).toEqual({ interests: [] });
  });

  it('the guest survives a reload through sessionStorage', async () => {
    const t = setup();
    await t.store.create({ interests: [] });
    const again = setup(t.storage);
    expect(again.store.token()).toBe('t1');
    expect(again.calls).toHaveLength(0);
  });

  it('an expired stored token is not used', async () => {
    const t = setup();
    await t.store.create({ interests: [] });
    vi.setSystemTime(Date.now() + 3 * HOUR);
    expect(setup(t.storage).store.current()).toBeNull();
  });

  it('refreshes at 75 % of the lifetime with the bearer token', async () => {
    const t = setup();
    await t.store.create({ interests: [] });
    await vi.advanceTimersByTimeAsync(1.5 * HOUR - 1000);
    expect(t.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.calls).toHaveLength(2);
    expect(t.calls[1]!.url).toBe('http://h:3000/api/guest/refresh');
    expect((t.calls[1]!.init.headers as Record<string, string>).authorization).toBe('Bearer t1');
    expect(t.store.token()).toBe('t2');
  });

  it('a refresh refused as token_expired / session_not_found makes a new guest', async () => {
    for (const code of ['token_expired', 'token_invalid', 'session_not_found']) {
      const t = setup();
      await t.store.create({ nickname: 'neo_1', interests: ['x'] });
      t.replies.push(() => res(401, { error: { code, message: 'm' } }));
      const g = await t.store.refresh();
      expect(t.calls.map((c) => c.url.replace('http://h:3000', ''))).toEqual(['/api/guest', '/api/guest/refresh', '/api/guest']);
      expect(JSON.parse(t.calls[2]!.init.body as string)).toEqual({ username: 'neo_1', interests: ['x'] });
      expect(g.token).toBe('t2');
    }
  });

  it('429 is a friendly error with the retry delay', async () => {
    const t = setup();
    t.replies.push(() => res(429, { error: { code: 'rate_limited', message: 'm' } }, { 'retry-after': '7' }));
    const e = await t.store.create({ interests: [] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GuestError);
    expect(e).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 7000 });
    expect((e as Error).message).toMatch(/try again/i);
  });

  it('a network failure is an error with code network', async () => {
    const t = setup();
    t.replies.push(() => {
      throw new TypeError('fetch failed');
    });
    await expect(t.store.create({ interests: [] })).rejects.toMatchObject({ code: 'network' });
  });

  it('ensure reuses the guest unless another nickname is asked for', async () => {
    const t = setup();
    const g = await t.store.create({ interests: [] });
    expect(await t.store.ensure({ interests: ['b'] })).toBe(g);
    expect(await t.store.ensure({ nickname: 'User1', interests: [] })).toBe(g);
    expect(t.calls).toHaveLength(1);
    const h = await t.store.ensure({ nickname: 'other', interests: [] });
    expect(h.token).toBe('t2');
  });

  it('concurrent creates share one request', async () => {
    const t = setup();
    const [a, b] = await Promise.all([t.store.create({ interests: [] }), t.store.replace()]);
    expect(a).toBe(b);
    expect(t.calls).toHaveLength(1);
  });

  it('listeners hear about new and refreshed guests', async () => {
    const t = setup();
    const seen: string[] = [];
    t.store.onChange((g) => seen.push(g.token));
    await t.store.create({ interests: [] });
    await t.store.refresh();
    expect(seen).toEqual(['t1', 't2']);
  });
});
