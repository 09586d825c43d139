// File sharing end to end (docs/protocol.md, "Files"): real files uploaded by one guest of a
// chat, sent with chat:message {type:'file'|'voice', fileId}, relayed with the server's own
// metadata and the partner's own URL, and downloaded by the partner with the headers that keep a
// stranger's file harmless: Range (206, several seeks), ETag / If-None-Match, Content-Disposition,
// nosniff, a sandbox CSP, no caching.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  assertAckOk, cleanupChat, closeAllGuests, emitAck, pairUp, startChatServer, uuid, waitPayload,
} from './lib/chat.mjs';
import {
  download, makeBigZip, makeOgg, makePdf, makePng, makeWav, makeZip, sha256, upload, uploadOk,
} from './lib/files.mjs';
import { findSamples, parsePrometheusText } from './lib/prometheus.mjs';
import { getMetrics } from './lib/server.mjs';

after(cleanupChat);

let server;
before(async () => { server = await startChatServer(); });
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await server?.stop();
});

/** a uploads `bytes`, sends it, b receives it: resolves {up, ack, msg}. */
async function share(a, b, bytes, opts = {}, type = 'file') {
  const up = await uploadOk(server, a.token, bytes, opts);
  const mark = b.socket.received.length;
  const id = uuid();
  const ack = await emitAck(a.socket, 'chat:message', { id, type, fileId: up.fileId });
  assertAckOk(ack, 'chat:message with a file');
  const msg = await waitPayload(b.socket, 'chat:message', { pred: (p) => p?.id === id, from: mark });
  return { up, ack, msg };
}

describe('upload, relay, download', () => {
  test('an image: 201 with the sniffed type, relayed with the partner\'s own URL, same bytes', async () => {
    const { a, b } = await pairUp(server);
    const png = makePng(32, 32);
    const { up, ack, msg } = await share(a, b, png, { type: 'image/png', name: 'cat.png' });
    assert.match(up.fileId, /^[0-9a-f]{32}$/);
    assert.equal(up.name, 'cat.png');
    assert.equal(up.size, png.length);
    assert.equal(up.mime, 'image/png');
    assert.equal(up.kind, 'image');
    assert.match(up.url, new RegExp(`^/api/files/${up.fileId}\\?k=[0-9a-f]{32}$`));
    assert.ok(up.expiresAt > Date.now() + 23 * 3600 * 1000, 'expires in 24 h');
    assert.equal(typeof ack.timestamp, 'number');
    assert.equal(msg.type, 'file');
    assert.deepEqual(Object.keys(msg.file).sort(), ['kind', 'mime', 'name', 'size', 'url']);
    assert.equal(msg.file.name, 'cat.png');
    assert.equal(msg.file.size, png.length);
    assert.equal(msg.file.mime, 'image/png');
    assert.equal(msg.file.kind, 'image');
    assert.notEqual(msg.file.url, up.url, 'each guest has its own capability');
    assert.ok(msg.file.url.startsWith(`/api/files/${up.fileId}?k=`));
    for (const url of [msg.file.url, up.url]) {
      const d = await download(server, url);
      assert.equal(d.status, 200);
      assert.equal(sha256(d.body), sha256(png));
      assert.equal(d.headers.get('content-type'), 'image/png');
      assert.equal(d.headers.get('content-length'), String(png.length));
      assert.equal(d.headers.get('content-disposition'), 'inline; filename="cat.png"; filename*=UTF-8\'\'cat.png');
      assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
      assert.match(d.headers.get('content-security-policy'), /^sandbox/);
      assert.match(d.headers.get('cache-control'), /no-store/);
      assert.equal(d.headers.get('accept-ranges'), 'bytes');
      assert.equal(d.headers.get('etag'), `"${up.fileId}"`);
    }
  });

  test('the metadata is the server\'s: a client cannot rename, resize or retype in chat:message', async () => {
    const { a, b } = await pairUp(server);
    const pdf = makePdf();
    const up = await uploadOk(server, a.token, pdf, { type: 'image/png', name: 'report.pdf' });
    assert.equal(up.mime, 'application/pdf', 'the declared image/png is ignored for the content');
    assert.equal(up.kind, 'document');
    const id = uuid();
    const mark = b.socket.received.length;
    assertAckOk(await emitAck(a.socket, 'chat:message', { id, type: 'file', fileId: up.fileId,
      text: 'x', file: { name: 'evil.exe', size: 1, mime: 'text/html', url: 'https://evil.example/' } }));
    const msg = await waitPayload(b.socket, 'chat:message', { pred: (p) => p?.id === id, from: mark });
    assert.equal(msg.file.name, 'report.pdf');
    assert.equal(msg.file.size, pdf.length);
    assert.equal(msg.file.mime, 'application/pdf');
    assert.equal(msg.text, undefined);
    const d = await download(server, msg.file.url);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-disposition'),
      'attachment; filename="report.pdf"; filename*=UTF-8\'\'report.pdf', 'documents are downloaded, not shown');
  });

  test('a zip and a voice note (Ogg from sox, and a WAV) with its duration', async () => {
    const { a, b } = await pairUp(server);
    const zip = makeZip([{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'b.txt', data: Buffer.from('world') }]);
    const z = await share(a, b, zip, { type: 'application/zip', name: 'stuff.zip' });
    assert.equal(z.msg.file.kind, 'archive');
    assert.equal(z.msg.file.mime, 'application/zip');
    const ogg = makeOgg(2);
    const v = await share(a, b, ogg, { type: 'audio/ogg', name: 'voice.ogg', voice: 2.04 }, 'voice');
    assert.equal(v.up.kind, 'voice');
    assert.equal(v.up.duration, 2.04);
    assert.equal(v.msg.type, 'voice');
    assert.equal(v.msg.file.kind, 'voice');
    assert.equal(v.msg.file.duration, 2.04);
    assert.match(v.msg.file.mime, /^audio\/ogg/);
    const d = await download(server, v.msg.file.url);
    assert.equal(sha256(d.body), sha256(ogg));
    assert.match(d.headers.get('content-disposition'), /^inline/);
    const w = await share(b, a, makeWav(1.5), { type: 'audio/wav', name: 'note.wav', voice: 1.5 }, 'voice');
    assert.equal(w.msg.file.kind, 'voice');
  });

  test('the type of message must match the upload: a voice note is sent as voice, a file as file', async () => {
    const { a } = await pairUp(server);
    const v = await uploadOk(server, a.token, makeWav(1.2), { type: 'audio/wav', voice: 1.2 });
    const f = await uploadOk(server, a.token, makePng(), { type: 'image/png' });
    assert.equal((await emitAck(a.socket, 'chat:message', { id: uuid(), type: 'file', fileId: v.fileId })).error.field, 'type');
    assert.equal((await emitAck(a.socket, 'chat:message', { id: uuid(), type: 'voice', fileId: f.fileId })).error.field, 'type');
    const bad = await emitAck(a.socket, 'chat:message', { id: uuid(), type: 'file', fileId: 'nope' });
    assert.equal(bad.error.code, 'file_not_found');
    assert.equal((await emitAck(a.socket, 'chat:message', { id: uuid(), type: 'file' })).error.field, 'fileId');
  });
});

describe('downloads: ranges and validators', () => {
  test('Range: 206 with Content-Range at several seeks, suffix and open ranges, 416 beyond', async () => {
    const { a, b } = await pairUp(server);
    const zip = makeBigZip(300_000);
    const { msg } = await share(a, b, zip, { type: 'application/zip', name: 'big.zip' });
    for (const [range, start, end] of [['bytes=0-99', 0, 99], ['bytes=150000-150099', 150000, 150099],
      [`bytes=${zip.length - 10}-`, zip.length - 10, zip.length - 1], ['bytes=-10', zip.length - 10, zip.length - 1],
      ['bytes=100-9999999', 100, zip.length - 1]]) {
      const d = await download(server, msg.file.url, { headers: { range } });
      assert.equal(d.status, 206, range);
      assert.equal(d.headers.get('content-range'), `bytes ${start}-${end}/${zip.length}`, range);
      assert.equal(d.headers.get('content-length'), String(end - start + 1), range);
      assert.ok(d.body.equals(zip.subarray(start, end + 1)), `${range}: the right bytes`);
    }
    const beyond = await download(server, msg.file.url, { headers: { range: `bytes=${zip.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${zip.length}`);
    const many = await download(server, msg.file.url, { headers: { range: 'bytes=0-1,5-6' } });
    assert.equal(many.status, 200, 'several ranges: the whole file (RFC 9110 allows ignoring Range)');
    assert.equal(many.body.length, zip.length);
  });

  test('ETag / If-None-Match → 304; If-Range with another validator → the whole file; HEAD', async () => {
    const { a, b } = await pairUp(server);
    const png = makePng(8, 8, { a: [1, 2, 3] });
    const { up, msg } = await share(a, b, png, { type: 'image/png' });
    const etag = `"${up.fileId}"`;
    const nm = await download(server, msg.file.url, { headers: { 'if-none-match': etag } });
    assert.equal(nm.status, 304);
    assert.equal(nm.body.length, 0);
    const ir = await download(server, msg.file.url, { headers: { range: 'bytes=0-3', 'if-range': '"other"' } });
    assert.equal(ir.status, 200);
    assert.equal(ir.body.length, png.length);
    const ok = await download(server, msg.file.url, { headers: { range: 'bytes=0-3', 'if-range': etag } });
    assert.equal(ok.status, 206);
    const head = await download(server, msg.file.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(png.length));
    assert.equal(head.body.length, 0);
  });
});

describe('metrics', () => {
  test('hallway_file_uploads_total{outcome} and the files gauges', async () => {
    const { a, b } = await pairUp(server);
    await share(a, b, makePng(), { type: 'image/png' });
    const refused = await upload(server, a.token, Buffer.from('<!doctype html><html><body>hi</body></html>'),
      { type: 'image/png', name: 'x.png' });
    assert.equal(refused.status, 415);
    const parsed = parsePrometheusText((await getMetrics(server)).text);
    const outcome = (o) => findSamples(parsed, 'hallway_file_uploads_total', { outcome: o })[0]?.value;
    assert.ok(outcome('stored') >= 1);
    assert.ok(outcome('type_refused') >= 1);
    for (const o of ['unauthorized', 'not_in_chat', 'rate_limited', 'too_large', 'no_space', 'aborted']) {
      assert.equal(typeof outcome(o), 'number', `outcome ${o} exported`);
    }
    assert.ok(findSamples(parsed, 'hallway_files_live')[0].value >= 1);
    assert.ok(findSamples(parsed, 'hallway_file_bytes_stored')[0].value > 0);
    assert.equal(typeof findSamples(parsed, 'hallway_file_upload_bytes_in_flight')[0]?.value, 'number');
  });
});
