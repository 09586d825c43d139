// The page's uploads against a real local HTTP server: items, progress, the chat message after
// the upload, cancel, retry, the token refresh, the end of the chat.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Action } from '../chat/reducer';
import { NodeXhr } from './node-xhr';
import { FileUploads } from './uploads';

interface Req {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
let server: http.Server;
let origin = '';
let requests: Req[] = [];
/** Answers a request whose body was read whole. */
let answer: (r: Req, res: http.ServerResponse) => void;
/** Set: requests are held (body read slowly) until released. */
let hold = false;
const cut: number[] = [];

const created = (r: Req, over: Record<string, unknown> = {}) => ({
  fileId: `f${requests.length}`,
  name: decodeURIComponent(String(r.headers['x-file-name'])),
  size: r.body.length,
  mime: 'image/png',
  kind: r.headers['x-voice-duration'] ? 'voice' : 'image',
  url: `/api/files/f${requests.length}?k=c`,
  expiresAt: 1,
  ...(r.headers['x-voice-duration'] ? { duration: Number(r.headers['x-voice-duration']) } : {}),
  ...over,
});
const ok = (r: Req, res: http.ServerResponse) => {
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify(created(r)));
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let got = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (hold) {
        req.pause();
        setTimeout(() => req.resume(), 5);
      }
    });
    // The connection's close, not the request stream's (that one waits for the paused data).
    req.socket.once('close', () => {
      if (!req.complete) cut.push(got);
    });
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests = [];
  cut.length = 0;
  hold = false;
  answer = ok;
});

function setup(over: { token?: () => string | null; refreshToken?: () => Promise<void>; maxBytes?: number } = {}) {
  const actions: Action[] = [];
  const sent: [string, string, string][] = [];
  let n = 0;
  const uploads = new FileUploads({
    dispatch: (a) => actions.push(a),
    token: over.token ?? (() => 'tok'),
    refreshToken: over.refreshToken ?? (async () => undefined),
    sendFile: (id, type, fileId) => sent.push([id, type, fileId]),
    origin,
    newId: () => `id${++n}`,
    now: () => 1234,
    xhr: () => new NodeXhr(32 * 1024),
    maxBytes: over.maxBytes,
  });
  const types = () => actions.map((a) => a.type);
  const until = (fn: () => boolean) => vi.waitFor(() => expect(fn()).toBe(true), { timeout: 5000, interval: 5 });
  return { actions, sent, uploads, types, until };
}

const png = (n = 200_000) => new File([crypto.randomBytes(n)], 'photo.png', { type: 'image/png' });

describe('FileUploads', () => {
  it('shows the file, its progress, then the server\'s file, and sends the chat message', async () => {
    const t = setup();
    const id = t.uploads.add(png());
    expect(id).toBe('id1');
    expect(t.actions[0]).toEqual({
      type: 'file/add', at: 1234, id, name: 'photo.png', size: 200_000, mime: 'image/png', kind: 'image',
    });
    await t.until(() => t.sent.length === 1);
    expect(t.sent[0]).toEqual([id, 'file', 'f1']);
    const progress = t.actions.filter((a) => a.type === 'file/progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.length).toBeLessThanOrEqual(101); // one per percent at most
    const uploaded = t.actions.find((a) => a.type === 'file/uploaded');
    expect(uploaded).toEqual({
      type: 'file/uploaded', id, file: { name: 'photo.png', size: 200_000, mime: 'image/png', kind: 'image', url: `${origin}/api/files/f1?k=c` },
    });
    expect(t.types().indexOf('file/uploaded')).toBeLessThan(t.types().length);
    expect(t.uploads.size).toBe(0);
  });

  it('a voice note: X-Voice-Duration, its duration on the item, sent as type voice', async () => {
    const t = setup();
    const id = t.uploads.add(new Blob([crypto.randomBytes(5000)], { type: 'audio/webm;codecs=opus' }), {
      voiceDuration: 7,
      name: 'voice-note.webm',
    });
    expect(t.actions[0]).toMatchObject({ type: 'file/add', kind: 'voice', duration: 7, name: 'voice-note.webm' });
    await t.until(() => t.sent.length === 1);
    expect(t.sent[0]).toEqual([id, 'voice', 'f1']);
    expect(requests[0]!.headers['x-voice-duration']).toBe('7');
    expect(requests[0]!.headers['content-type']).toBe('audio/webm;codecs=opus');
  });

  it('several files at once, each its own item', async () => {
    const t = setup();
    const ids = [t.uploads.add(png(50_000)), t.uploads.add(png(60_000)), t.uploads.add(png(70_000))];
    await t.until(() => t.sent.length === 3);
    expect(new Set(t.sent.map((s) => s[0]))).toEqual(new Set(ids));
    expect(requests.map((r) => r.body.length).sort()).toEqual([50_000, 60_000, 70_000]);
  });

  it('a pasted image without a name gets one', async () => {
    const t = setup();
    t.uploads.add(new Blob([crypto.randomBytes(10)], { type: 'image/png' }));
    expect(t.actions[0]).toMatchObject({ name: 'pasted-image.png' });
    t.uploads.add(new Blob([crypto.randomBytes(10)]));
    expect(t.actions.at(-1)).toMatchObject({ name: 'file.bin', mime: 'application/octet-stream', kind: 'document' });
    await t.until(() => t.sent.length === 2);
  });

  it('a file over the limit, or empty, fails at once without a request', async () => {
    const t = setup({ maxBytes: 1000 });
    t.uploads.add(png(1001));
    t.uploads.add(new File([], 'empty.txt', { type: 'text/plain' }));
    expect(t.actions.filter((a) => a.type === 'file/failed')).toEqual([
      { type: 'file/failed', id: 'id1', error: 'Too large — the limit is 1000 B', retryable: false },
      { type: 'file/failed', id: 'id2', error: 'This file is empty', retryable: false },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toHaveLength(0);
    t.uploads.remove('id1');
    expect(t.actions.at(-1)).toEqual({ type: 'file/remove', id: 'id1' });
  });

  it('cancel stops a running upload and removes the item; nothing follows', async () => {
    hold = true;
    const t = setup({ maxBytes: 64 * 1024 * 1024 });
    // Larger than what loopback buffers hold: the server reads slowly, so the body is still on
    // its way when the first progress is shown.
    const id = t.uploads.add(png(24 * 1024 * 1024));
    await t.until(() => t.actions.some((a) => a.type === 'file/progress'));
    t.uploads.cancel(id);
    expect(t.actions.at(-1)).toEqual({ type: 'file/remove', id });
    const n = t.actions.length;
    await t.until(() => cut.length === 1);
    expect(cut[0]).toBeLessThan(24 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.actions.length).toBe(n);
    expect(t.sent).toHaveLength(0);
    expect(t.uploads.size).toBe(0);
  });

  it('a failure is shown with its reason; retry uploads again and sends', async () => {
    answer = (_r, res) => {
      res.writeHead(507, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'insufficient_storage', message: 'low disk' } }));
    };
    const t = setup();
    const id = t.uploads.add(png(1000));
    await t.until(() => t.types().includes('file/failed'));
    expect(t.actions.at(-1)).toEqual({
      type: 'file/failed', id, error: 'The server has no room for files right now — try again later', retryable: true,
    });
    answer = ok;
    t.uploads.retry(id);
    expect(t.actions.at(-1)).toEqual({ type: 'file/retry', id });
    await t.until(() => t.sent.length === 1);
    expect(t.sent[0]![0]).toBe(id);
    expect(requests).toHaveLength(2);
  });

  it('a refused type is final: no retry, the file is forgotten', async () => {
    answer = (_r, res) => {
      res.writeHead(415, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'file_type_not_allowed', message: 'text/html is not allowed' } }));
    };
    const t = setup();
    const id = t.uploads.add(png(1000));
    await t.until(() => t.types().includes('file/failed'));
    expect(t.actions.at(-1)).toMatchObject({ error: "This type of file can't be shared (text/html)", retryable: false });
    expect(t.uploads.size).toBe(0);
    t.uploads.retry(id);
    expect(t.actions.at(-1)?.type).toBe('file/failed');
  });

  it('a refused token is refreshed once and the upload made again with the new one', async () => {
    answer = (r, res) => {
      if (r.headers.authorization === 'Bearer old') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'token_expired', message: 'expired' } }));
      } else ok(r, res);
    };
    let token = 'old';
    const refreshToken = vi.fn(async () => {
      token = 'new';
    });
    const t = setup({ token: () => token, refreshToken });
    t.uploads.add(png(1000));
    await t.until(() => t.sent.length === 1);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(t.types()).not.toContain('file/failed');
  });

  it('a token refused again after the refresh is shown as failed', async () => {
    answer = (_r, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'token_invalid', message: 'no' } }));
    };
    const t = setup();
    t.uploads.add(png(1000));
    await t.until(() => t.types().includes('file/failed'));
    expect(requests).toHaveLength(2);
    expect(t.actions.at(-1)).toMatchObject({ error: 'Your session expired — please retry', retryable: true });
  });

  it('no token yet: failed, retryable', () => {
    const t = setup({ token: () => null });
    t.uploads.add(png(10));
    expect(t.actions.at(-1)).toMatchObject({ type: 'file/failed', retryable: true });
  });

  it('cancelAll (the chat ended) stops every upload and forgets every file, silently', async () => {
    hold = true;
    const t = setup({ maxBytes: 64 * 1024 * 1024 });
    t.uploads.add(png(24 * 1024 * 1024));
    t.uploads.add(png(24 * 1024 * 1024));
    await t.until(() => new Set(t.actions.filter((a) => a.type === 'file/progress').map((a) => a.id)).size === 2);
    t.uploads.cancelAll();
    const n = t.actions.length;
    expect(t.uploads.size).toBe(0);
    await t.until(() => cut.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.actions.length).toBe(n);
    expect(t.sent).toHaveLength(0);
  });
});
