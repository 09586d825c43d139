// Attacks on the file endpoints (docs/protocol.md, "Files" — limits and codes): no or forged
// credentials, a guest outside a chat, strangers and other chats' guests at a file's URL, lying
// names and types, oversized and endless bodies, interrupted uploads, many uploads at once, slow
// readers — each bounded per guest, per connection and globally, and none leaving bytes behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  assertAckOk, assertApiError, baseUrl, cleanupChat, closeAllGuests, emitAck, guest, pairUp,
  signJwt, startChatServer, uuid, waitPayload,
} from './lib/chat.mjs';
import {
  download, filesOnDisk, makeBigZip, makePng, makeWav, sha256, upload, uploadOk,
} from './lib/files.mjs';
import { pollUntil, residentBytes } from './lib/realtime.mjs';
import { buildRequest, openRaw, sleep } from './lib/server.mjs';

after(cleanupChat);

const MiB = 1 << 20;
let server;
before(async () => { server = await startChatServer(); });
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await server?.stop();
});

/** The files on the server's disk that were not in `before` (a filesOnDisk() snapshot). */
const newFiles = (before) => filesOnDisk(server).filter((f) => !before.includes(f));

/** Raw POST /api/files headers (no body) for a token. */
function uploadHead(token, headers = {}) {
  return buildRequest('POST', '/api/files', { Authorization: `Bearer ${token}`,
    'Content-Type': 'application/zip', 'X-File-Name': 'a.zip', ...headers });
}

describe('credentials and chats', () => {
  test('no token, a forged token, a guest outside a chat: refused before any byte is stored', async () => {
    const before = filesOnDisk(server);
    assertApiError(await upload(server, undefined, makePng()), 401, 'token_invalid');
    const forged = signJwt({ sub: 'g_x', iss: 'hallway', aud: 'hallway', exp: Math.floor(Date.now() / 1000) + 60 },
      { secret: 'not-the-secret-not-the-secret-not-the-secret' });
    assertApiError(await upload(server, forged, makePng()), 401, 'token_invalid');
    const lone = await guest(baseUrl(server));
    assertApiError(await upload(server, lone.token, makePng(), { type: 'image/png' }), 409, 'not_in_chat');
    assert.deepEqual(newFiles(before), []);
  });

  test('a file URL: 404 without the capability, with a forged one, or another file\'s; 403 for a guest of another chat', async () => {
    const { a, b } = await pairUp(server);
    const other = await pairUp(server);
    const up = await uploadOk(server, a.token, makePng(), { type: 'image/png' });
    const up2 = await uploadOk(server, a.token, makePng(4, 4, { a: [9, 9, 9] }), { type: 'image/png' });
    const base = `/api/files/${up.fileId}`;
    const cap = new URL(up.url, 'http://x').searchParams.get('k');
    const forged = cap.slice(0, -1) + (cap.endsWith('0') ? '1' : '0');
    const cap2 = new URL(up2.url, 'http://x').searchParams.get('k');
    for (const url of [base, `${base}?k=`, `${base}?k=${forged}`, `${base}?k=${cap2}`,
      `${base}?k=${cap}${cap}`, `/api/files/${'0'.repeat(32)}?k=${cap}`, `/api/files/..%2f..%2fetc?k=${cap}`]) {
      const d = await download(server, url);
      assert.equal(d.status, 404, url);
      assert.equal(d.json?.error?.code, 'file_not_found', url);
    }
    const stranger = await download(server, up.url, { headers: { authorization: `Bearer ${other.a.token}` } });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error.code, 'file_forbidden');
    const partner = await download(server, up.url, { headers: { authorization: `Bearer ${b.token}` } });
    assert.equal(partner.status, 200, 'a guest of the chat with a bearer token is fine');
    // The partner has no URL before the message; a client cannot attach the partner's file.
    const steal = await emitAck(b.socket, 'chat:message', { id: uuid(), type: 'file', fileId: up.fileId });
    assert.equal(steal.error.code, 'file_not_found');
    const wrongMethod = await fetch(`${baseUrl(server)}${up.url}`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 405);
  });
});

describe('types are decided by content', () => {
  test('an executable, HTML and SVG renamed .png with Content-Type image/png → 415 naming what they are', async () => {
    const { a } = await pairUp(server);
    const before = filesOnDisk(server);
    const elf = fs.readFileSync('/bin/true');
    for (const [bytes, what] of [
      [elf, /executable|sharedlib|elf/i],
      [Buffer.from('<!DOCTYPE html><html><head><script>alert(1)</script></head><body></body></html>'), /text\/html/],
      [Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'), /svg/],
    ]) {
      const r = await upload(server, a.token, bytes, { type: 'image/png', name: 'cute.png' });
      assertApiError(r, 415, 'file_type_not_allowed');
      assert.match(r.json.error.message, what);
    }
    assert.deepEqual(newFiles(before), [], 'refused uploads leave nothing');
  });

  test('a voice note must be audio and last 1 to 300 s', async () => {
    const { a } = await pairUp(server);
    assertApiError(await upload(server, a.token, makePng(), { type: 'audio/webm', voice: 2 }), 415,
      'file_type_not_allowed');
    for (const d of ['0.5', '301', 'abc', '-1', '1e3', 'NaN']) {
      const r = await upload(server, a.token, makeWav(1), { type: 'audio/wav', headers: { 'x-voice-duration': d } });
      assertApiError(r, 400, 'invalid_payload', 'X-Voice-Duration');
    }
    await uploadOk(server, a.token, makeWav(1), { type: 'audio/wav', voice: 1 });
  });

  test('file names: path parts, NUL, quotes, RTL override and controls go; emoji and scripts stay', async () => {
    const { a, b } = await pairUp(server);
    const cases = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\boot.ini', 'boot.ini'],
      ['a\u0000b.png', 'ab.png'],
      ['say "hi".png', 'say _hi_.png'],
      ['evil\u202Egnp.exe', 'evilgnp.exe'],
      ['😀 chat été.png', '😀 chat été.png'],
      ['...', 'file'],
    ];
    for (const [raw, want] of cases) {
      const up = await uploadOk(server, a.token, makePng(), { type: 'image/png', name: raw });
      assert.equal(up.name, want, JSON.stringify(raw));
      const id = uuid();
      const mark = b.socket.received.length;
      assertAckOk(await emitAck(a.socket, 'chat:message', { id, type: 'file', fileId: up.fileId }));
      const msg = await waitPayload(b.socket, 'chat:message', { pred: (p) => p?.id === id, from: mark });
      assert.equal(msg.file.name, want);
      const cd = (await download(server, msg.file.url)).headers.get('content-disposition');
      assert.ok(cd.includes(`filename*=UTF-8''${encodeURIComponent(want).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`), cd);
      assert.ok(!/[\u0000-\u001f\u007f"\\]/.test(cd.replace(/filename="[^"]*"/, '')), cd);
    }
    assertApiError(await upload(server, a.token, makePng(), { rawName: '%zz' }), 400, 'invalid_payload', 'X-File-Name');
  });
});

describe('sizes and bodies', () => {
  test('Content-Length over 10 MiB → 413 at once, before the body is sent', async () => {
    const { a } = await pairUp(server);
    const before = filesOnDisk(server);
    const c = await openRaw(server.port);
    await c.write(uploadHead(a.token, { 'Content-Length': String(11 * MiB) }));
    const res = await c.readResponse({ timeoutMs: 3000 });
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.text).error.code, 'file_too_large');
    c.destroy();
    assert.deepEqual(newFiles(before), []);
  });

  test('a chunked body passing 10 MiB → 413, the partial file removed', async () => {
    const { a } = await pairUp(server);
    const before = filesOnDisk(server);
    const c = await openRaw(server.port);
    await c.write(uploadHead(a.token, { 'Transfer-Encoding': 'chunked' }));
    const chunk = Buffer.concat([Buffer.from(`${(MiB).toString(16)}\r\n`), Buffer.alloc(MiB, 7), Buffer.from('\r\n')]);
    let sent = 0;
    while (!c.closed && !c.text.includes('HTTP/1.1') && sent < 12) {
      await c.write(chunk).catch(() => {});
      sent++;
    }
    const res = await c.readResponse({ timeoutMs: 5000 });
    assert.equal(res.status, 413);
    assert.ok(sent <= 12, `stopped after ${sent} MiB`);
    c.destroy();
    await pollUntil(() => newFiles(before).length === 0, 3000);
    assert.deepEqual(newFiles(before), []);
  });

  test('an interrupted upload leaves nothing on disk and gives its bytes in flight back', async () => {
    const { a } = await pairUp(server);
    const before = filesOnDisk(server);
    const c = await openRaw(server.port);
    await c.write(uploadHead(a.token, { 'Content-Length': String(5 * MiB) }));
    await c.write(Buffer.alloc(2 * MiB, 1));
    await pollUntil(() => newFiles(before).length === 1, 3000);
    assert.equal(newFiles(before).length, 1, 'the partial file exists while the upload runs');
    c.destroy();
    assert.ok(await pollUntil(() => newFiles(before).length === 0, 5000), 'partial file removed');
    // Its 5 MiB reservation is back: two more 10 MiB uploads (20 MiB per guest) are admitted.
    const big = makeBigZip(10 * MiB - 1000);
    await Promise.all([uploadOk(server, a.token, big, { type: 'application/zip' }),
      uploadOk(server, a.token, big, { type: 'application/zip' })]);
  });

  test('Expect: 100-continue: 100 first, then the upload, then 201', async () => {
    const { a } = await pairUp(server);
    const png = makePng();
    const c = await openRaw(server.port);
    await c.write(uploadHead(a.token, { 'Content-Type': 'image/png', 'Content-Length': String(png.length),
      Expect: '100-continue' }));
    assert.ok(await c.waitFor(() => c.text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 3000), c.text);
    c.buf = c.buf.subarray('HTTP/1.1 100 Continue\r\n\r\n'.length);
    await c.write(png);
    const res = await c.readResponse();
    assert.equal(res.status, 201);
    // A refused upload gets no 100: the final answer comes at once.
    const d = await openRaw(server.port);
    await d.write(uploadHead('bad', { 'Content-Length': '100', Expect: '100-continue' }));
    const refused = await d.readResponse();
    assert.equal(refused.status, 401);
    assert.ok(!d.text.includes('100 Continue'));
  });
});

describe('many at once', () => {
  test('per guest: 20 MiB in flight, a third 10 MiB upload waits its turn (429)', async () => {
    const { a } = await pairUp(server);
    const conns = [];
    for (let i = 0; i < 2; i++) {
      const c = await openRaw(server.port);
      await c.write(uploadHead(a.token, { 'Content-Length': String(10 * MiB) }));
      conns.push(c);
    }
    await sleep(200);
    const third = await upload(server, a.token, makePng(), { type: 'image/png' });
    assertApiError(third, 429, 'rate_limited');
    for (const c of conns) c.destroy();
  });

  test('20 concurrent 10 MiB uploads: all stored, server memory stays flat (streamed to disk)', async () => {
    const pairs = await Promise.all(Array.from({ length: 10 }, () => pairUp(server)));
    const guests = pairs.flatMap((p) => [p.a, p.b]);
    const body = makeBigZip(10 * MiB - 4096);
    const before = await residentBytes(server);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await residentBytes(server));
        await sleep(50);
      }
    })();
    const t0 = Date.now();
    const ups = await Promise.all(guests.map((g) => uploadOk(server, g.token, body, { type: 'application/zip' })));
    const seconds = (Date.now() - t0) / 1000;
    sampling = false;
    await sampler;
    console.log(`# 20 × 10 MiB uploads in ${seconds.toFixed(1)} s: RSS before ${(before / MiB).toFixed(1)} MiB, `
      + `peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.equal(ups.length, 20);
    const grown = (peak - before) / MiB;
    // 200 MiB went through; buffered whole it would be ≥ 200 MiB. Streamed: chunk buffers only.
    assert.ok(grown < 40, `RSS grew ${grown.toFixed(1)} MiB during 20 × 10 MiB uploads`);
    const d = await download(server, ups[0].url);
    assert.equal(sha256(d.body), sha256(body));
  });
});

describe('servers with tight limits', () => {
  test('--upload-limit: the fourth upload in the window → 429 with Retry-After', async () => {
    const srv = await startChatServer({ flags: { 'upload-limit': '3' } });
    try {
      const { a } = await pairUp(srv);
      for (let i = 0; i < 3; i++) await uploadOk(srv, a.token, makePng(), { type: 'image/png' });
      const r = await upload(srv, a.token, makePng(), { type: 'image/png' });
      assertApiError(r, 429, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    } finally { await srv.stop(); }
  });

  test('free disk under --min-free-disk → 507, nothing stored', async () => {
    const srv = await startChatServer({ flags: { 'min-free-disk': '1000000000000000' } });
    try {
      const { a } = await pairUp(srv);
      assertApiError(await upload(srv, a.token, makePng(), { type: 'image/png' }), 507, 'insufficient_storage');
      assert.deepEqual(filesOnDisk(srv), []);
    } finally { await srv.stop(); }
  });

  test('a slow reader of a large file is not cut off by the request timeout while it makes progress', async () => {
    const srv = await startChatServer({ flags: { 'request-timeout': '1s' } });
    try {
      const { a } = await pairUp(srv);
      const body = makeBigZip(8 * MiB);
      const up = await uploadOk(srv, a.token, body, { type: 'application/zip' });
      const c = await openRaw(srv.port);
      c.socket.pause();
      await c.write(buildRequest('GET', up.url));
      const started = Date.now();
      // One read (≤ 64 KiB) every 50 ms, ~1.3 MB/s: the server's writes go on for seconds,
      // several request timeouts, with progress all along.
      while (!c.closed && c.buf.length < body.length && Date.now() - started < 30000) {
        const got = new Promise((r) => { c.socket.once('data', r); setTimeout(r, 200); });
        c.socket.resume();
        await got;
        c.socket.pause();
        await sleep(50);
      }
      c.socket.resume();
      const res = await c.readResponse({ timeoutMs: 10000 });
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started > 3000, `the transfer outlived the request timeout (${Date.now() - started} ms)`);
      assert.equal(sha256(res.bodyBuffer), sha256(body));
    } finally { await srv.stop(); }
  });
});
