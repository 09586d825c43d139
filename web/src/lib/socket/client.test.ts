import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Action } from '../chat/reducer';
import { GuestStore } from '../guest';
import { ChatClient, type Prefs } from './client';
import { FakeSocket } from './fake';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const prefs: Prefs = { mode: 'text', interests: ['music'], language: 'en-US', nickname: '', interestsOnly: false };

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

// A minimal Response: the real one reads its body through timers that fake timers hold back.
function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (k: string) => headers[k.toLowerCase()] ?? null },
    json: async () => body,
  } as unknown as Response;
}

function setup() {
  const actions: Action[] = [];
  const warnings: string[] = [];
  let n = 0;
  const fetch = vi.fn(async (url: string) => {
    n++;
    if (url.endsWith('/api/guest')) {
      return jsonResponse(201, {
        token: `token-${n}`,
        expiresAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
        user: { id: `guest-${n}`, username: `Guest${n}`, language: null, interests: [] },
      });
    }
    return jsonResponse(500, {});
  });
  const guests = new GuestStore({
    fetch: fetch as unknown as typeof globalThis.fetch,
    storage: memoryStorage(),
    origin: '',
    now: Date.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
  const sockets: FakeSocket[] = [];
  const listeners = new Map<string, () => void>();
  const doc = {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (t: string, fn: () => void) => void listeners.set(t, fn),
    removeEventListener: () => undefined,
  };
  const client = new ChatClient({
    io: (_url, opts) => {
      const s = new FakeSocket(opts as Record<string, unknown>);
      sockets.push(s);
      return s;
    },
    guests,
    dispatch: (a) => actions.push(a),
    origin: '',
    doc: doc as unknown as Document,
    warn: (m) => warnings.push(m),
    ackTimeoutMs: 5000,
    sendTries: 3,
    connectWaitMs: 10_000,
  });
  const socket = () => {
    const s = sockets.at(-1);
    if (!s) throw new Error('no socket');
    return s;
  };
  const types = () => actions.map((a) => a.type);
  return { actions, warnings, fetch, guests, sockets, socket, client, doc, listeners, types };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

/** Starts a search and answers it; returns the world in a chat with room r1. */
async function inChat(t: ReturnType<typeof setup>) {
  const started = t.client.start(prefs);
  await flush();
  t.socket().serverAccepts();
  await flush();
  t.socket().last('user:match')!.ack!({ ok: true, state: 'searching', fallbackInMs: 5000 });
  await started;
  t.socket().fire('user:matched', {
    roomId: 'r1',
    mode: 'text',
    partner: { username: 'Other1', language: 'en' },
    commonInterests: ['music'],
    polite: true,
  }, '7');
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('start and search', () => {
  it('creates a guest, connects with its token, asks for a partner and reports the fallback', async () => {
    const t = setup();
    const started = t.client.start(prefs);
    expect(t.actions[0]).toMatchObject({ type: 'search/start', interestsOnly: false });
    await flush();
    expect(t.fetch).toHaveBeenCalledTimes(1);
    const s = t.socket();
    expect(s.opts).toMatchObject({ path: '/socket.io', transports: ['websocket'] });
    expect(s.connectCalls).toBe(1);
    expect(s.authToken()).toBe('token-1');
    s.serverAccepts();
    await flush();
    const m = s.last('user:match')!;
    expect(m.args).toEqual([{ mode: 'text', interests: ['music'], language: 'en-US' }]);
    m.ack!({ ok: true, state: 'searching', fallbackInMs: 4000 });
    await started;
    expect(t.actions).toContainEqual(expect.objectContaining({ type: 'search/ack', fallbackInMs: 4000 }));
    expect(s.named('stats:get')).toHaveLength(1);
  });

  it('a server without fallbackInMs still searches (no countdown)', async () => {
    const t = setup();
    const started = t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.socket().last('user:match')!.ack!({ ok: true, state: 'searching' });
    await started;
    expect(t.actions).toContainEqual(expect.objectContaining({ type: 'search/ack', fallbackInMs: undefined }));
  });

  it('interests only is sent only with interests, and toggling it asks again', async () => {
    const t = setup();
    const started = t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.socket().last('user:match')!.ack!({ ok: true, state: 'searching', fallbackInMs: 5000 });
    await started;
    t.client.setInterestsOnly(true);
    await flush();
    expect(t.socket().last('user:match')!.args[0]).toMatchObject({ interestsOnly: true });
    expect(t.actions).toContainEqual({ type: 'interestsOnly', value: true });

    const u = setup();
    void u.client.start({ ...prefs, interests: [], interestsOnly: true });
    await flush();
    u.socket().serverAccepts();
    await flush();
    expect(u.socket().last('user:match')!.args[0]).not.toHaveProperty('interestsOnly');
  });

  it('a refused search goes back to the landing with an error', async () => {
    const t = setup();
    const started = t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.socket().last('user:match')!.ack!({ ok: false, error: { code: 'queue_full', message: 'full' } });
    await started;
    expect(t.types()).toContain('search/cancel');
    expect(t.actions.at(-1)).toMatchObject({ type: 'error', error: { retry: 'start' } });
  });

  it('a rate-limited search is asked again after retryAfterMs', async () => {
    const t = setup();
    void t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.socket().last('user:match')!.ack!({ ok: false, error: { code: 'rate_limited', message: 'slow', retryAfterMs: 700 } });
    await vi.advanceTimersByTimeAsync(699);
    expect(t.socket().named('user:match')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.socket().named('user:match')).toHaveLength(2);
  });

  it('a search is asked again after the connection came back', async () => {
    const t = setup();
    void t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.socket().last('user:match')!.ack!({ ok: true, state: 'searching', fallbackInMs: 5000 });
    await flush();
    t.socket().drop();
    expect(t.actions.at(-1)).toMatchObject({ type: 'conn/down' });
    t.socket().serverAccepts();
    await flush();
    expect(t.socket().named('user:match')).toHaveLength(2);
  });

  it('cancel goes back to the landing and tells the server', async () => {
    const t = setup();
    void t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    await flush();
    t.client.cancel();
    expect(t.types()).toContain('search/cancel');
    expect(t.socket().named('user:match:cancel')).toHaveLength(1);
  });

  it('a guest that cannot be created (429) is a friendly error, not a search', async () => {
    const t = setup();
    t.fetch.mockImplementationOnce(async () =>
      jsonResponse(429, { error: { code: 'rate_limited', message: 'x' } }, { 'retry-after': '6' }),
    );
    await t.client.start(prefs);
    expect(t.sockets).toHaveLength(0);
    expect(t.types()).toEqual(['search/start', 'search/cancel', 'error']);
    expect(t.actions.at(-1)).toMatchObject({ error: { message: expect.stringMatching(/try again/i), retry: 'start' } });
  });
});

describe('messages', () => {
  it('an un-acked message is sent again with the same id, then shown sent', async () => {
    const t = setup();
    await inChat(t);
    const id = t.client.send('hello');
    expect(id).toMatch(uuid);
    await flush();
    const s = t.socket();
    expect(s.named('chat:message')).toHaveLength(1);
    expect(s.last('chat:message')!.args[0]).toEqual({ id, type: 'text', text: 'hello' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.named('chat:message')).toHaveLength(2);
    expect(s.last('chat:message')!.args[0]).toEqual({ id, type: 'text', text: 'hello' });
    s.last('chat:message')!.ack!({ ok: true, id, timestamp: 1234 });
    await flush();
    expect(t.actions).toContainEqual({ type: 'msg/sent', id, timestamp: 1234 });
    expect(t.types()).not.toContain('msg/failed');
  });

  it('a message is failed only after every try', async () => {
    const t = setup();
    await inChat(t);
    const id = t.client.send('hello');
    await vi.advanceTimersByTimeAsync(5000 * 2);
    expect(t.types()).not.toContain('msg/failed');
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.socket().named('chat:message')).toHaveLength(3);
    expect(t.actions.at(-1)).toEqual({ type: 'msg/failed', id });
  });

  it('a failed message can be retried by hand with the same id', async () => {
    const t = setup();
    await inChat(t);
    const id = t.client.send('hello');
    await vi.advanceTimersByTimeAsync(15_000);
    t.client.retry(id);
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/retry', id });
    const again = t.socket().last('chat:message')!;
    expect(again.args[0]).toMatchObject({ id });
    again.ack!({ ok: true, id, timestamp: 9 });
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/sent', id, timestamp: 9 });
  });

  it('a message typed while offline goes out after the reconnect', async () => {
    const t = setup();
    await inChat(t);
    t.socket().drop();
    const id = t.client.send('later');
    await vi.advanceTimersByTimeAsync(3000);
    expect(t.socket().named('chat:message')).toHaveLength(0);
    t.socket().serverAccepts();
    await flush();
    const m = t.socket().last('chat:message')!;
    expect(m.args[0]).toMatchObject({ id, text: 'later' });
    m.ack!({ ok: true, id, timestamp: 5 });
    await flush();
    expect(t.actions).toContainEqual({ type: 'msg/sent', id, timestamp: 5 });
  });

  it('a refusal other than a rate limit fails at once', async () => {
    const t = setup();
    await inChat(t);
    const id = t.client.send('x');
    await flush();
    t.socket().last('chat:message')!.ack!({ ok: false, error: { code: 'not_in_chat', message: 'm' } });
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/failed', id });
    expect(t.socket().named('chat:message')).toHaveLength(1);
  });

  it('received messages are dispatched and acknowledged as delivered at once', async () => {
    const t = setup();
    await inChat(t);
    const id = '0b6f1c62-6f43-4a3e-9a4e-1d2f3c4b5a69';
    t.socket().fire('chat:message', { id, type: 'text', text: 'hey', timestamp: 3 }, '12');
    expect(t.actions.at(-1)).toEqual({ type: 'msg/received', id, text: 'hey', timestamp: 3 });
    expect(t.socket().last('chat:delivered')!.args[0]).toEqual({ ids: [id] });
    t.client.read(id);
    expect(t.actions.at(-1)).toEqual({ type: 'read/sent', upTo: id });
    expect(t.socket().last('chat:read')!.args[0]).toEqual({ upTo: id });
  });

  it('an invalid inbound payload is dropped with a warning', async () => {
    const t = setup();
    await inChat(t);
    const before = t.actions.length;
    t.socket().fire('chat:message', { id: 'x', type: 'text', text: '', timestamp: 3 });
    t.socket().fire('chat:ended', { reason: 'whatever' });
    t.socket().fire('realtime:stats', { online: 'lots' });
    expect(t.actions.length).toBe(before);
    expect(t.warnings).toHaveLength(3);
    expect(t.warnings[0]).toMatch(/chat:message/);
    expect(t.socket().named('chat:delivered')).toHaveLength(0);
  });

  it('an invalid ack counts as no answer', async () => {
    const t = setup();
    await inChat(t);
    const id = t.client.send('x');
    await flush();
    t.socket().last('chat:message')!.ack!({ ok: true });
    await flush();
    expect(t.warnings.some((w) => w.includes('ack'))).toBe(true);
    expect(t.socket().named('chat:message')).toHaveLength(2);
    expect(t.socket().last('chat:message')!.args[0]).toMatchObject({ id });
  });

  it('receipts from the server become actions', async () => {
    const t = setup();
    await inChat(t);
    t.socket().fire('chat:message:delivered', { ids: ['a'] });
    t.socket().fire('chat:message:read', { upTo: 'a' });
    expect(t.actions.slice(-2)).toEqual([
      { type: 'msg/delivered', ids: ['a'] },
      { type: 'msg/read', upTo: 'a' },
    ]);
  });
});

describe('file messages', () => {
  const file = { name: 'cat.png', size: 10, mime: 'image/png', kind: 'image', url: '/api/files/f1?k=cap' };

  it('an uploaded file is sent as {id, type, fileId}, retried with the same id, then sent', async () => {
    const t = setup();
    await inChat(t);
    t.client.sendFile('item-1', 'voice', 'f1');
    await flush();
    const s = t.socket();
    expect(s.last('chat:message')!.args[0]).toEqual({ id: 'item-1', type: 'voice', fileId: 'f1' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.named('chat:message')).toHaveLength(2);
    expect(s.last('chat:message')!.args[0]).toEqual({ id: 'item-1', type: 'voice', fileId: 'f1' });
    s.last('chat:message')!.ack!({ ok: true, id: 'item-1', timestamp: 77 });
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/sent', id: 'item-1', timestamp: 77 });
  });

  it('a failed file message is retried by hand with the same payload', async () => {
    const t = setup();
    await inChat(t);
    t.client.sendFile('item-2', 'file', 'f2');
    await flush();
    t.socket().last('chat:message')!.ack!({ ok: false, error: { code: 'invalid_payload', message: 'unknown file' } });
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/failed', id: 'item-2' });
    t.client.retry('item-2');
    await flush();
    expect(t.socket().last('chat:message')!.args[0]).toEqual({ id: 'item-2', type: 'file', fileId: 'f2' });
  });

  it('after the chat ended a file message is failed without being sent', async () => {
    const t = setup();
    await inChat(t);
    t.socket().fire('chat:ended', { reason: 'partner_left' }, '9');
    t.client.sendFile('item-3', 'file', 'f3');
    await flush();
    expect(t.actions.at(-1)).toEqual({ type: 'msg/failed', id: 'item-3' });
    expect(t.socket().named('chat:message')).toHaveLength(0);
  });

  it("the partner's file is dispatched with its url and acknowledged as delivered", async () => {
    const t = setup();
    await inChat(t);
    t.socket().fire('chat:message', { id: 'p1', type: 'file', file, timestamp: 3 }, '13');
    expect(t.actions.at(-1)).toEqual({ type: 'file/received', id: 'p1', file, timestamp: 3 });
    expect(t.socket().last('chat:delivered')!.args[0]).toEqual({ ids: ['p1'] });
    const voice = { ...file, kind: 'voice', mime: 'audio/webm', duration: 4 };
    t.socket().fire('chat:message', { id: 'p2', type: 'voice', file: voice, timestamp: 4 }, '14');
    expect(t.actions.at(-1)).toEqual({ type: 'file/received', id: 'p2', file: voice, timestamp: 4 });
  });

  it('a file pointing anywhere but /api/files/ is dropped', async () => {
    const t = setup();
    await inChat(t);
    const before = t.actions.length;
    for (const url of ['https://evil.example/x.png', 'javascript:alert(1)', '/api/guest']) {
      t.socket().fire('chat:message', { id: 'p3', type: 'file', file: { ...file, url }, timestamp: 3 });
    }
    expect(t.actions.length).toBe(before);
    expect(t.warnings).toHaveLength(3);
    expect(t.socket().named('chat:delivered')).toHaveLength(0);
  });

  it('token() and refreshToken() are the guest\'s', async () => {
    const t = setup();
    await inChat(t);
    expect(t.client.token()).toBe('token-1');
    const refresh = vi.spyOn(t.guests, 'refresh').mockResolvedValue(t.guests.current()!);
    await t.client.refreshToken();
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});

describe('typing', () => {
  it('only changes are sent', async () => {
    const t = setup();
    await inChat(t);
    t.client.typing(true);
    t.client.typing(true);
    expect(t.socket().named('chat:typing:start')).toHaveLength(1);
    t.client.typing(false);
    t.client.typing(false);
    expect(t.socket().named('chat:typing:stop')).toHaveLength(1);
  });

  it('a sent message ends typing without a stop event; the next keystroke starts again', async () => {
    const t = setup();
    await inChat(t);
    t.client.typing(true);
    t.client.send('x');
    t.client.typing(false);
    expect(t.socket().named('chat:typing:stop')).toHaveLength(0);
    t.client.typing(true);
    expect(t.socket().named('chat:typing:start')).toHaveLength(2);
  });

  it('a start refused by the rate limit is sent again while still typing', async () => {
    const t = setup();
    await inChat(t);
    t.client.typing(true);
    t.socket().last('chat:typing:start')!.ack!({ ok: false, error: { code: 'rate_limited', message: 'm', retryAfterMs: 300 } });
    await vi.advanceTimersByTimeAsync(299);
    expect(t.socket().named('chat:typing:start')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.socket().named('chat:typing:start')).toHaveLength(2);
    // Not when typing stopped meanwhile.
    t.socket().last('chat:typing:start')!.ack!({ ok: false, error: { code: 'rate_limited', message: 'm', retryAfterMs: 300 } });
    t.client.typing(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.socket().named('chat:typing:start')).toHaveLength(2);
  });

  it('nothing is sent outside a chat', async () => {
    const t = setup();
    void t.client.start(prefs);
    await flush();
    t.socket().serverAccepts();
    t.client.typing(true);
    expect(t.socket().named('chat:typing:start')).toHaveLength(0);
  });

  it('partner typing and connection state become actions', async () => {
    const t = setup();
    await inChat(t);
    t.socket().fire('chat:typing:start', {});
    t.socket().fire('partner:connection', { state: 'reconnecting' }, '9');
    expect(t.actions.slice(-2)).toEqual([
      { type: 'typing', value: true },
      expect.objectContaining({ type: 'partner', state: 'reconnecting' }),
    ]);
  });
});

describe('chat end, next, leave, report', () => {
  it('chat:ended ends the chat; with auto-find a new search starts', async () => {
    const t = setup();
    await inChat(t);
    t.client.setAutoFind(true);
    t.socket().fire('chat:ended', { reason: 'partner_left' }, '8');
    await flush();
    expect(t.types().slice(-2)).toEqual(['ended', 'search/start']);
    expect(t.socket().named('user:match')).toHaveLength(2);
  });

  it('without auto-find it stays ended', async () => {
    const t = setup();
    await inChat(t);
    t.socket().fire('chat:ended', { reason: 'partner_disconnected' });
    await flush();
    expect(t.actions.at(-1)).toMatchObject({ type: 'ended', reason: 'partner_disconnected' });
    expect(t.socket().named('user:match')).toHaveLength(1);
  });

  it('next leaves and searches in one step (user:next)', async () => {
    const t = setup();
    await inChat(t);
    void t.client.next();
    await flush();
    expect(t.socket().named('user:next')).toHaveLength(1);
    expect(t.socket().named('chat:leave')).toHaveLength(0);
    expect(t.types().at(-1)).toBe('search/start');
  });

  it('leave sends chat:leave and goes to the landing', async () => {
    const t = setup();
    await inChat(t);
    t.client.leave();
    expect(t.socket().named('chat:leave')).toHaveLength(1);
    expect(t.types().at(-1)).toBe('stop');
  });

  it('report sends reason and trimmed note and ends the chat', async () => {
    const t = setup();
    await inChat(t);
    const p = t.client.report('spam', '  buy stuff  ');
    await flush();
    const r = t.socket().last('user:report')!;
    expect(r.args[0]).toEqual({ reason: 'spam', note: 'buy stuff' });
    r.ack!({ ok: true });
    await expect(p).resolves.toEqual({ ok: true });
    expect(t.actions.at(-1)).toMatchObject({ type: 'ended', reason: 'reported' });
  });

  it('a refused report says why and does not end anything', async () => {
    const t = setup();
    await inChat(t);
    const p = t.client.report('other', '');
    await flush();
    expect(t.socket().last('user:report')!.args[0]).toEqual({ reason: 'other' });
    t.socket().last('user:report')!.ack!({ ok: false, error: { code: 'not_in_chat', message: 'm' } });
    await expect(p).resolves.toMatchObject({ ok: false });
    expect(t.types()).not.toContain('ended');
  });
});

describe('connection', () => {
  it('an expired token at connect is replaced by a new guest, then the socket reconnects', async () => {
    const t = setup();
    await inChat(t);
    const s = t.socket();
    s.drop();
    s.active = false; // a middleware refusal: socket.io-client does not retry by itself
    const connects = s.connectCalls;
    s.fire('connect_error', Object.assign(new Error('expired'), { data: { code: 'token_expired', message: 'm' } }));
    await flush();
    expect(t.fetch).toHaveBeenCalledTimes(2);
    expect(s.authToken()).toBe('token-2');
    expect(s.connectCalls).toBeGreaterThan(connects);
    expect(t.sockets).toHaveLength(1);
  });

  it('other refusals are retried after a pause; transport errors are left to socket.io', async () => {
    const t = setup();
    await inChat(t);
    const s = t.socket();
    s.drop();
    const connects = s.connectCalls;
    s.fire('connect_error', new Error('websocket error')); // active: socket.io retries
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.connectCalls).toBe(connects);
    s.active = false;
    s.fire('connect_error', Object.assign(new Error('x'), { data: { code: 'payload_too_large' } }));
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.connectCalls).toBe(connects + 1);
    expect(t.fetch).toHaveBeenCalledTimes(1);
  });

  it('a server disconnect (another tab took over) is not reconnected automatically', async () => {
    const t = setup();
    await inChat(t);
    const connects = t.socket().connectCalls;
    t.socket().drop('io server disconnect');
    expect(t.actions.at(-1)).toEqual({ type: 'conn/replaced' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.socket().connectCalls).toBe(connects);
    t.client.reconnect();
    expect(t.socket().connectCalls).toBe(connects + 1);
  });

  it('a visible page reconnects a socket that gave up', async () => {
    const t = setup();
    await inChat(t);
    const s = t.socket();
    s.drop();
    s.active = false;
    const connects = s.connectCalls;
    t.listeners.get('visibilitychange')!();
    expect(s.connectCalls).toBe(connects + 1);
  });

  it('back in a chat the server no longer knows (too late): the chat ends', async () => {
    const t = setup();
    await inChat(t);
    t.socket().drop();
    t.socket().serverAccepts();
    await flush();
    const probe = t.socket().last('user:match:cancel')!;
    probe.ack!({ ok: true, state: 'idle' });
    await flush();
    expect(t.actions.at(-1)).toMatchObject({ type: 'ended', reason: 'partner_disconnected' });
  });

  it('back in time: user:matched again, the chat goes on', async () => {
    const t = setup();
    await inChat(t);
    t.socket().drop();
    t.socket().serverAccepts();
    await flush();
    t.socket().fire('user:matched', {
      roomId: 'r1',
      mode: 'text',
      partner: { username: 'Other1', language: 'en' },
      commonInterests: [],
      polite: true,
    });
    t.socket().last('user:match:cancel')!.ack!({ ok: true, state: 'matched' });
    await flush();
    expect(t.types()).not.toContain('ended');
  });

  it('stats come from the ack of stats:get and from realtime:stats', async () => {
    const t = setup();
    await inChat(t);
    t.socket().last('stats:get')!.ack!({ ok: true, online: 4, searching: 1, chatting: 2 });
    await flush();
    expect(t.actions).toContainEqual({ type: 'stats', online: 4 });
    t.socket().fire('realtime:stats', { online: 6, searching: 0, chatting: 6 }, '3');
    expect(t.actions.at(-1)).toEqual({ type: 'stats', online: 6 });
  });

  it('resume connects at once when a guest is stored (reload)', async () => {
    const t = setup();
    await t.guests.create({ interests: [] });
    t.client.resume();
    expect(t.sockets).toHaveLength(1);
    expect(t.socket().authToken()).toBe('token-1');
  });

  it('resume without a guest does nothing', () => {
    const t = setup();
    t.client.resume();
    expect(t.sockets).toHaveLength(0);
  });
});

describe('calls: the link', () => {
  it('a video search sends mode video; the chat context carries polite and mode', async () => {
    const t = setup();
    const started = t.client.start({ ...prefs, mode: 'video' });
    await flush();
    t.socket().serverAccepts();
    await flush();
    expect(t.socket().last('user:match')!.args[0]).toMatchObject({ mode: 'video' });
    t.socket().last('user:match')!.ack!({ ok: true, state: 'searching', fallbackInMs: 5000 });
    await started;
    const link = t.client.callLink();
    expect(link.chat()).toBeNull();
    t.socket().fire('user:matched', {
      roomId: 'r9',
      mode: 'video',
      partner: { username: 'Other1', language: null },
      commonInterests: [],
      polite: false,
    });
    expect(link.chat()).toEqual({ roomId: 'r9', polite: false, mode: 'video' });
    expect(t.actions).toContainEqual(expect.objectContaining({ type: 'matched', mode: 'video' }));
  });

  it('call events before the controller subscribes are kept and delivered in order; later ones go straight', async () => {
    const t = setup();
    await inChat(t);
    const offer = { from: 'u2', offer: { type: 'offer', sdp: 'v=0' }, callType: 'video' };
    t.socket().fire('webrtc:offer', offer, '8');
    t.socket().fire('webrtc:ice-candidate', { from: 'u2', candidate: { candidate: 'c1' } });
    t.socket().fire('webrtc:offer', { from: 'u2', offer: { type: 'offer', sdp: '' }, callType: 'video' });
    const seen: unknown[] = [];
    t.client.callLink().subscribe((e) => seen.push(e));
    expect(seen).toEqual([]);
    await flush();
    expect(seen).toEqual([
      { type: 'signal', event: 'webrtc:offer', payload: offer },
      { type: 'signal', event: 'webrtc:ice-candidate', payload: { from: 'u2', candidate: { candidate: 'c1' } } },
    ]);
    expect(t.warnings.some((w) => w.includes('webrtc:offer'))).toBe(true);
    t.socket().fire('webrtc:call-end', { from: 'u2', reason: 'hangup' });
    expect(seen.at(-1)).toEqual({ type: 'signal', event: 'webrtc:call-end', payload: { from: 'u2', reason: 'hangup' } });
  });

  it('matched, chat end, next and leave reach the calls', async () => {
    const t = setup();
    const seen: { type: string; leaving?: boolean }[] = [];
    t.client.callLink().subscribe((e) => seen.push(e));
    await inChat(t);
    expect(seen.at(-1)).toMatchObject({ type: 'matched', chat: { roomId: 'r1', polite: true, mode: 'text' } });
    t.socket().fire('chat:ended', { reason: 'partner_left' });
    expect(seen.at(-1)).toEqual({ type: 'chat-end', leaving: false });
    expect(t.client.callLink().chat()).toBeNull();
    // Call events outside a chat are dropped.
    t.socket().fire('webrtc:call-end', { reason: 'chat_ended' });
    expect(seen.at(-1)).toEqual({ type: 'chat-end', leaving: false });
    t.client.leave();
    expect(seen.at(-1)).toEqual({ type: 'chat-end', leaving: true });
  });

  it('signal: the ack as ok or its code; no answer is a timeout', async () => {
    const t = setup();
    await inChat(t);
    const link = t.client.callLink();
    const ok = link.signal('webrtc:video-reveal', { reveal: true });
    t.socket().last('webrtc:video-reveal')!.ack!({ ok: true });
    expect(await ok).toEqual({ ok: true });
    expect(t.socket().last('webrtc:video-reveal')!.args).toEqual([{ reveal: true }]);
    const busy = link.signal('webrtc:offer', { offer: { type: 'offer', sdp: 'v=0' }, callType: 'audio' });
    t.socket().last('webrtc:offer')!.ack!({ ok: false, error: { code: 'busy', message: 'a call is ringing' } });
    expect(await busy).toEqual({ ok: false, code: 'busy' });
    const lost = link.signal('webrtc:call-end', {});
    await vi.advanceTimersByTimeAsync(6000);
    expect(await lost).toEqual({ ok: false, code: 'timeout' });
  });
});
