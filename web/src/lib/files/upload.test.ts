// The upload module against a real HTTP server on 127.0.0.1 (node's http), through an
// XMLHttpRequest stand-in built on node's http client (node-xhr.ts).
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MAX_FILE_BYTES } from '../config';
import { NodeXhr } from './node-xhr';
import { detectedType, precheck, startUpload, uploadErrorMessage, type UploadOptions } from './upload';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The request ended before its body was complete (the client went away). */
  aborted: boolean;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

let server: http.Server;
let origin = '';
let handler: Handler;
let seen: Seen[] = [];
let onRequest: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const created = (over: Record<string, unknown> = {}) => ({
  fileId: 'f_1',
  name: 'photo.png',
  size: 3,
  mime: 'image/png',
  kind: 'image',
  url: '/api/files/f_1?k=cap',
  expiresAt: 1_700_000_000_000,
  ...over,
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // A handler may take the request over before its body is read (slow or early answers).
    if (onRequest?.(req, res)) return;
    const chunks: Buffer[] = [];
    const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0), aborted: false };
    seen.push(s);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      s.body = Buffer.concat(chunks);
      handler(req, res, s.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  seen = [];
  onRequest = null;
  handler = (_req, res, body) => json(res, 201, created({ size: body.length }));
});
handler = (_req, res, body) => json(res, 201, created({ size: body.length }));

const upload = (over: Partial<UploadOptions> = {}) =>
  startUpload({
    origin,
    token: 'tok-123',
    file: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }),
    name: 'photo.png',
    xhr: () => new NodeXhr(),
    ...over,
  });

describe('startUpload', () => {
  it('POSTs the raw bytes with the token, the type and the encoded name; parses the 201', async () => {
    const bytes = crypto.randomBytes(300_000);
    const progress: [number, number][] = [];
    const r = await upload({
      file: new Blob([bytes], { type: 'application/pdf' }),
      name: 'Ünïcode «report» 1/2 💾.pdf',
      onProgress: (l, t) => progress.push([l, t]),
    }).done;
    expect(r).toEqual({ ok: true, file: created({ size: bytes.length }) });
    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/api/files');
    expect(s.headers.authorization).toBe('Bearer tok-123');
    expect(s.headers['content-type']).toBe('application/pdf');
    expect(s.headers['x-file-name']).toBe(encodeURIComponent('Ünïcode «report» 1/2 💾.pdf'));
    expect(decodeURIComponent(s.headers['x-file-name'] as string)).toBe('Ünïcode «report» 1/2 💾.pdf');
    expect(s.headers['x-voice-duration']).toBeUndefined();
    expect(Buffer.compare(s.body, bytes)).toBe(0);
    // Progress: several steps, never backwards, ending at the whole body.
    expect(progress.length).toBeGreaterThan(2);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('a voice note carries X-Voice-Duration; a file without a type is application/octet-stream', async () => {
    await upload({ voiceDuration: 12, file: new Blob([new Uint8Array([1])]), name: 'voice-note.webm' }).done;
    expect(seen[0]!.headers['x-voice-duration']).toBe('12');
    expect(seen[0]!.headers['content-type']).toBe('application/octet-stream');
  });

  const errors: [number, unknown, Record<string, string>, Record<string, unknown>][] = [
    [413, { error: { code: 'file_too_large', message: 'over 10485760 bytes' } }, {},
      { code: 'file_too_large', message: 'Too large — the limit is 10 MB', retryable: false, status: 413 }],
    [415, { error: { code: 'file_type_not_allowed', message: 'application/x-executable is not allowed' } }, {},
      { code: 'file_type_not_allowed', message: "This type of file can't be shared (application/x-executable)", retryable: false }],
    [409, { error: { code: 'not_in_chat', message: 'not in a chat' } }, {},
      { code: 'not_in_chat', message: 'The chat has ended', retryable: false }],
    [429, { error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 41_500 } }, {},
      { code: 'rate_limited', message: 'Too many files — try again in 42 s', retryable: true, retryAfterMs: 41_500 }],
    [429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '300' },
      { code: 'rate_limited', message: 'Too many files — try again in 5 min', retryAfterMs: 300_000 }],
    [507, { error: { code: 'insufficient_storage', message: 'disk' } }, {},
      { code: 'insufficient_storage', retryable: true, message: 'The server has no room for files right now — try again later' }],
    [413, { error: { code: 'body_too_large', message: 'cut' } }, {},
      { code: 'body_too_large', message: 'Too large — the limit is 10 MB', retryable: false }],
    [503, { error: { code: 'server_busy', message: 'busy' } }, {},
      { code: 'server_busy', retryable: true, message: 'The server is busy — try again in a moment' }],
    [401, { error: { code: 'token_expired', message: 'expired' } }, {},
      { code: 'token_expired', retryable: true, message: 'Your session expired — please retry' }],
    [400, { error: { code: 'invalid_payload', message: 'bad name', field: 'X-File-Name' } }, {},
      { code: 'invalid_payload', retryable: false, message: 'This file could not be sent' }],
  ];
  for (const [status, body, headers, want] of errors) {
    it(`${status} ${JSON.stringify(body).slice(0, 60)} → ${want.code}`, async () => {
      handler = (_req, res) => json(res, status, body, headers);
      const r = await upload().done;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ status, ...want });
    });
  }

  it('an error without a JSON body is read from its status', async () => {
    handler = (_req, res) => {
      res.writeHead(413, { 'content-type': 'text/html' });
      res.end('<h1>Request Entity Too Large</h1>');
    };
    const r = await upload().done;
    expect(r).toMatchObject({ ok: false, error: { code: 'file_too_large', status: 413 } });
    handler = (_req, res) => {
      res.writeHead(502);
      res.end('bad gateway');
    };
    const r2 = await upload().done;
    expect(r2).toMatchObject({
      ok: false,
      error: { code: 'http_502', retryable: true, message: 'Something went wrong on the server — please retry' },
    });
  });

  it('a 201 that is not the documented body is refused', async () => {
    for (const body of [{ fileId: 'x' }, created({ url: 'https://elsewhere.example/x' }), 'text']) {
      handler = (_req, res) => json(res, 201, body);
      const r = await upload().done;
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_response', retryable: true } });
    }
  });

  it('a connection closed without an answer is a network error', async () => {
    handler = (req) => req.socket.destroy();
    const r = await upload().done;
    expect(r).toMatchObject({ ok: false, error: { code: 'network', retryable: true, message: 'The upload failed — check your connection and retry' } });
  });

  it('an answer before the whole body (413 at once) is read as the answer', async () => {
    onRequest = (req, res) => {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'file_too_large', message: 'too large' } }));
      req.resume();
      return true;
    };
    const r = await upload({ file: new Blob([crypto.randomBytes(2_000_000)]) }).done;
    // A browser reports the answer or, when the server closes mid-body, a network error.
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['file_too_large', 'network']).toContain(r.error.code);
  });

  it('abort cancels a running upload: the server sees the request cut short', async () => {
    let cut!: () => void;
    const serverSawCut = new Promise<void>((r) => (cut = r));
    let started!: () => void;
    const serverStarted = new Promise<void>((r) => (started = r));
    onRequest = (req) => {
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        started();
        req.pause(); // read slowly: the client's upload stays under way
        setTimeout(() => req.resume(), 5);
      });
      req.socket.once('close', () => {
        if (got < 5_000_000) cut();
      });
      return true;
    };
    const progress: number[] = [];
    const u = upload({ file: new Blob([crypto.randomBytes(5_000_000)]), onProgress: (l) => progress.push(l) });
    await serverStarted;
    u.abort();
    const r = await u.done;
    expect(r).toMatchObject({ ok: false, error: { code: 'aborted', retryable: false } });
    await serverSawCut;
    const n = progress.length;
    await new Promise((r2) => setTimeout(r2, 50));
    expect(progress.length).toBe(n); // no progress after the abort
    u.abort(); // twice is harmless
  });
});

describe('precheck', () => {
  it('refuses an empty file and one over the limit, before any request', () => {
    expect(precheck(new Blob([]))).toMatchObject({ code: 'empty', message: 'This file is empty', retryable: false });
    const big = { size: MAX_FILE_BYTES + 1, type: 'video/mp4' } as Blob;
    expect(precheck(big)).toMatchObject({ code: 'file_too_large', message: 'Too large — the limit is 10 MB' });
    expect(precheck({ size: MAX_FILE_BYTES } as Blob)).toBeNull();
    expect(precheck({ size: 2048 } as Blob, 1024)).toMatchObject({ message: 'Too large — the limit is 1 KB' });
  });
});

describe('messages', () => {
  it('names the detected type of a refused file when the server gives it', () => {
    expect(detectedType('detected type application/x-dosexec is not allowed')).toBe('application/x-dosexec');
    expect(detectedType('File type text/html not allowed')).toBe('text/html');
    expect(detectedType('not allowed')).toBeNull();
    expect(uploadErrorMessage('file_type_not_allowed')).toBe("This type of file can't be shared");
  });

  it('a rate limit without a time, an unknown client error', () => {
    expect(uploadErrorMessage('rate_limited')).toBe('Too many files — try again in a moment');
    expect(uploadErrorMessage('rate_limited', { retryAfterMs: 200 })).toBe('Too many files — try again in 1 s');
    expect(uploadErrorMessage('weird', { status: 403 })).toBe('The upload failed — please retry');
  });
});
