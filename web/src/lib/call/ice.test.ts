import { describe, expect, it, vi } from 'vitest';

import { ICE_TEXT, IceServers, rtcConfiguration } from './ice';

const body = {
  iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '99:g', credential: 'c' }],
  iceTransportPolicy: 'relay',
  ttl: 3600,
};

function response(status: number, json: unknown) {
  return { ok: status >= 200 && status < 300, status, json: async () => json } as unknown as Response;
}

function setup(replies: (() => Response | Promise<Response>)[]) {
  let now = 1_000_000;
  let token = 'token-1';
  const fetch = vi.fn(async (_url: string, _init?: RequestInit) => {
    const next = replies.shift();
    if (!next) throw new Error('no reply left');
    return next();
  });
  const refreshToken = vi.fn(async () => {
    token = 'token-2';
  });
  const ice = new IceServers({
    fetch: fetch as unknown as typeof globalThis.fetch,
    origin: 'http://127.0.0.1:3000',
    token: () => token,
    refreshToken,
    now: () => now,
  });
  return { ice, fetch, refreshToken, advance: (ms: number) => (now += ms) };
}

describe('IceServers', () => {
  it('asks with the Bearer token and the chat mode; reuses the answer for half its ttl', async () => {
    const t = setup([() => response(200, body), () => response(200, { ...body, iceTransportPolicy: 'all' })]);
    expect(await t.ice.get('video')).toEqual(body);
    expect(t.fetch.mock.calls[0]?.[0]).toBe('http://127.0.0.1:3000/api/ice-servers?mode=video');
    expect(t.fetch.mock.calls[0]?.[1]).toMatchObject({ headers: { Authorization: 'Bearer token-1' } });
    t.advance(1_700_000);
    await t.ice.get('video');
    expect(t.fetch).toHaveBeenCalledTimes(1);
    t.advance(200_000);
    expect((await t.ice.get('video')).iceTransportPolicy).toBe('all');
    expect(t.fetch).toHaveBeenCalledTimes(2);
  });

  it('a dead token is refreshed once', async () => {
    const t = setup([() => response(401, { error: { code: 'token_expired', message: 'x' } }), () => response(200, body)]);
    await t.ice.get('text');
    expect(t.refreshToken).toHaveBeenCalledTimes(1);
    expect(t.fetch.mock.calls[1]?.[1]).toMatchObject({ headers: { Authorization: 'Bearer token-2' } });
  });

  it('a refused, malformed or failed answer is an IceError for people', async () => {
    for (const reply of [
      () => response(500, {}),
      () => response(200, { ...body, iceServers: [{ urls: ['http://evil.example'] }] }),
      () => Promise.reject(new TypeError('network')),
    ]) {
      const t = setup([reply, reply]);
      await expect(t.ice.get('text')).rejects.toMatchObject({ name: 'IceError', message: ICE_TEXT.failed });
    }
  });

  it('the RTCConfiguration honours the policy', () => {
    const c = rtcConfiguration(body as Parameters<typeof rtcConfiguration>[0]);
    expect(c.iceTransportPolicy).toBe('relay');
    expect(c.iceServers).toEqual(body.iceServers);
  });
});
