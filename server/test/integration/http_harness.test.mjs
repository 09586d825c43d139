// Self-test of the harness (lib/server.mjs) that needs no Hallway binary: the raw response
// parser, the raw TCP helpers (against a throwaway node:net server) and the web-root fixture.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import zlib from 'node:zlib';

import {
  cleanupAll, makeWebRoot, openRaw, parseResponse, parseResponses, rawExchange, statusOf,
  tryParseResponse,
} from './lib/server.mjs';

after(cleanupAll);

describe('response parser', { timeout: 5000 }, () => {
  test('content-length body, lower-cased headers, repeated headers joined', () => {
    const r = parseResponse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nVary: A\r\n'
      + 'vary: B\r\nContent-Length: 5\r\n\r\nhello');
    assert.equal(r.status, 200);
    assert.equal(r.reason, 'OK');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers.vary, 'A, B');
    assert.equal(r.body, 'hello');
  });
  test('chunked body with trailers', () => {
    const r = parseResponse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n');
    assert.equal(r.body, 'abcde');
  });
  test('incomplete responses are reported as such', () => {
    assert.equal(tryParseResponse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), null);
    assert.equal(tryParseResponse('HTTP/1.1 200 OK\r\nContent-'), null);
    assert.throws(() => parseResponse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'));
  });
  test('HEAD, 204 and 304 have no body; close-delimited body runs to EOF', () => {
    assert.equal(parseResponse('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', { head: true }).body, '');
    assert.equal(parseResponse('HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n').body, '');
    assert.equal(parseResponse('HTTP/1.1 200 OK\r\n\r\nuntil close').body, 'until close');
    assert.equal(tryParseResponse('HTTP/1.1 200 OK\r\n\r\nuntil close', { eof: false }), null);
  });
  test('pipelined responses are split in order', () => {
    const rs = parseResponses('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'
      + 'HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb');
    assert.deepEqual(rs.map((r) => [r.status, r.body]), [[200, 'a'], [404, 'b']]);
    assert.equal(statusOf('HTTP/1.1 431 Request Header Fields Too Large\r\n'), 431);
    assert.equal(statusOf(''), null);
  });
  test('binary bodies survive (latin1)', () => {
    const body = Buffer.from([0, 1, 200, 255, 13, 10]);
    const raw = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n'), body]);
    assert.deepEqual(parseResponse(raw.toString('latin1')).bodyBuffer, body);
  });
});

describe('raw TCP helpers', { timeout: 10000 }, () => {
  let srv;
  let port;
  test('setup echo-ish server', async () => {
    srv = net.createServer((s) => {
      s.on('data', (d) => {
        const t = d.toString('latin1');
        if (t.includes('STALL')) return;
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${d.length}\r\n\r\n`);
        s.write(d);
        if (t.includes('CLOSE')) s.end();
      });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    port = srv.address().port;
  });
  test('rawExchange collects until close', async () => {
    const r = await rawExchange(port, 'CLOSE', { timeoutMs: 2000 });
    assert.equal(r.closed, true);
    assert.equal(r.timedOut, false);
    assert.equal(parseResponse(r.text).body, 'CLOSE');
  });
  test('rawExchange stops at the timeout', async () => {
    const r = await rawExchange(port, 'STALL', { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.text, '');
  });
  test('RawConn reads responses one by one and sees the close', async () => {
    const c = await openRaw(port);
    await c.write('one');
    assert.equal((await c.readResponse()).body, 'one');
    await c.write('two');
    assert.equal((await c.readResponse()).body, 'two');
    assert.equal(await c.waitClose(200), false);
    await c.write('CLOSE');
    assert.equal((await c.readResponse()).body, 'CLOSE');
    assert.equal(await c.waitClose(1000), true);
    await assert.rejects(c.readResponse({ timeoutMs: 200 }));
  });
  test('teardown', async () => { await new Promise((r) => srv.close(r)); });
});

describe('web-root fixture', { timeout: 5000 }, () => {
  test('has every file, the compressed siblings and the symlinks', () => {
    const f = makeWebRoot();
    for (const rel of ['index.html', 'app.js', 'style.css', '_next/static/chunks/main-abc123.js',
      'about.html', 'docs/index.html', 'logo.png', 'big.txt', 'big.txt.gz', 'big.txt.br']) {
      assert.ok(fs.statSync(path.join(f.root, rel)).isFile(), rel);
    }
    assert.ok(f.files['app.js'].length > 2048);
    const big = fs.readFileSync(path.join(f.root, 'big.txt'));
    assert.deepEqual(zlib.gunzipSync(fs.readFileSync(path.join(f.root, 'big.txt.gz'))), big);
    assert.deepEqual(zlib.brotliDecompressSync(fs.readFileSync(path.join(f.root, 'big.txt.br'))), big);
    assert.ok(fs.lstatSync(path.join(f.root, 'escape')).isSymbolicLink());
    assert.equal(fs.readFileSync(path.join(f.root, 'escape/secret.txt'), 'utf8').trim(), f.secret);
    assert.ok(!fs.realpathSync(path.join(f.root, 'escape')).startsWith(fs.realpathSync(f.root)));
    assert.deepEqual(fs.readFileSync(path.join(f.root, 'inside.txt')), f.files['app.js']);
    assert.equal(fs.readFileSync(path.join(f.base, 'secret.txt'), 'utf8').trim(), f.secret);
  });
  test('empty web root has nothing in it', () => {
    const f = makeWebRoot({ empty: true });
    assert.deepEqual(fs.readdirSync(f.root), []);
  });
});
