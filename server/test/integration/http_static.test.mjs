// Static files: content types, compression (on the fly and precompressed siblings), ETags,
// caching headers, clean URLs, SPA fallback, HEAD, methods, the built-in page, and the CSP of
// an HTML page with inline scripts (their sha256 hashes in script-src).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import {
  buildRequest, cleanupAll, get, makeWebRoot, parseResponse, rawExchange, request,
  startServer,
} from './lib/server.mjs';

after(cleanupAll);

const HTML = /^text\/html;\s*charset=utf-8$/i;

describe('static files', { timeout: 30000 }, () => {
  let s;
  let files;
  before(async () => {
    s = await startServer();
    files = s.fixture.files;
  });

  test('GET / serves index.html as text/html; charset=utf-8 with no-cache', async () => {
    const r = await get(s, '/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], HTML);
    assert.match(r.headers['cache-control'] ?? '', /\bno-cache\b/);
    assert.deepEqual(r.body, files['index.html']);
  });

  test('GET /app.js with Accept-Encoding: gzip is gzipped, with Vary: Accept-Encoding', async () => {
    const r = await get(s, '/app.js', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.match(r.headers['content-type'], /javascript/);
    assert.match(r.headers.vary ?? '', /accept-encoding/i);
    assert.deepEqual(zlib.gunzipSync(r.body), files['app.js']);
    assert.ok(r.body.length < files['app.js'].length, 'gzip body is not smaller than the file');
  });

  test('GET /app.js without Accept-Encoding is identity, with an ETag', async () => {
    const r = await get(s, '/app.js');
    assert.equal(r.status, 200);
    assert.ok(r.headers['content-encoding'] === undefined || r.headers['content-encoding'] === 'identity',
      `content-encoding ${r.headers['content-encoding']}`);
    assert.deepEqual(r.body, files['app.js']);
    assert.ok(r.headers.etag, 'no ETag');
    assert.match(r.headers.etag, /^(W\/)?"[^"]*"$/, 'ETag is not a quoted entity tag');
  });

  test('If-None-Match with the ETag → 304 with an empty body', async () => {
    const first = await get(s, '/app.js');
    const etag = first.headers.etag;
    assert.ok(etag, 'no ETag');
    const r = await get(s, '/app.js', { headers: { 'If-None-Match': etag } });
    assert.equal(r.status, 304);
    assert.equal(r.body.length, 0);
    // A different tag still gets the file.
    const other = await get(s, '/app.js', { headers: { 'If-None-Match': '"not-the-etag"' } });
    assert.equal(other.status, 200);
    assert.deepEqual(other.body, files['app.js']);
  });

  test('hashed assets under /_next/static/ are immutable', async () => {
    const r = await get(s, '/_next/static/chunks/main-abc123.js');
    assert.equal(r.status, 200);
    assert.match(r.headers['cache-control'] ?? '', /\bimmutable\b/);
    assert.deepEqual(r.body, files['_next/static/chunks/main-abc123.js']);
  });

  test('/about serves about.html', async () => {
    const r = await get(s, '/about');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], HTML);
    assert.deepEqual(r.body, files['about.html']);
  });

  test('/docs/ and /docs serve docs/index.html', async () => {
    for (const p of ['/docs/', '/docs']) {
      const r = await get(s, p);
      assert.equal(r.status, 200, `${p} → ${r.status} ${r.headers.location ?? ''}`);
      assert.match(r.headers['content-type'], HTML);
      assert.deepEqual(r.body, files['docs/index.html'], p);
    }
  });

  test('a missing path without an extension falls back to index.html (SPA)', async () => {
    const r = await get(s, '/some/spa/route');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], HTML);
    assert.deepEqual(r.body, files['index.html']);
  });

  test('a missing asset with an extension → 404 with a JSON error body', async () => {
    const r = await get(s, '/missing.js');
    assert.equal(r.status, 404);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    const body = JSON.parse(r.text);
    assert.equal(body.error?.code, 'not_found');
  });

  test('big.txt: Accept-Encoding br serves the .br sibling, gzip the .gz sibling', async () => {
    const br = await get(s, '/big.txt', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(br.headers['content-type'], /^text\/plain/);
    assert.match(br.headers.vary ?? '', /accept-encoding/i);
    assert.deepEqual(zlib.brotliDecompressSync(br.body), files['big.txt']);
    assert.deepEqual(br.body, s.fixture.br, 'not the precompressed .br file byte for byte');

    const gz = await get(s, '/big.txt', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(zlib.gunzipSync(gz.body), files['big.txt']);
    assert.deepEqual(gz.body, s.fixture.gz, 'not the precompressed .gz file byte for byte');

    const plain = await get(s, '/big.txt');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.body, files['big.txt']);
  });

  test('HEAD /app.js: the headers with Content-Length = file size, and no body', async () => {
    const raw = await rawExchange(s.port, buildRequest('HEAD', '/app.js', { Connection: 'close' }),
      { timeoutMs: 3000 });
    const r = parseResponse(raw.text, { head: true });
    assert.equal(r.status, 200);
    assert.equal(Number(r.headers['content-length']), files['app.js'].length);
    const headerEnd = raw.text.indexOf('\r\n\r\n');
    assert.equal(raw.text.slice(headerEnd + 4), '', 'HEAD response carried a body');
    assert.match(r.headers['content-type'], /javascript/);
  });

  test('POST / → 405 with an Allow header', async () => {
    const r = await request(s, { path: '/', method: 'POST', body: 'x',
      headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 405);
    assert.ok(r.headers.allow, 'no Allow header');
    assert.match(r.headers.allow, /\bGET\b/);
    assert.doesNotMatch(r.headers.allow, /\bPOST\b/);
  });

  test('content types: png, css; binary bytes intact', async () => {
    const png = await get(s, '/logo.png');
    assert.equal(png.status, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual(png.body, files['logo.png']);
    const css = await get(s, '/style.css');
    assert.equal(css.status, 200);
    assert.match(css.headers['content-type'], /^text\/css/);
    assert.deepEqual(css.body, files['style.css']);
  });

  test('a query string does not change which file is served', async () => {
    const r = await get(s, '/style.css?v=123');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, files['style.css']);
  });

  after(async () => { await s?.stop(); });
});

describe('web root without index.html', { timeout: 15000 }, () => {
  test('GET / → 200 built-in text/html page mentioning Hallway', async () => {
    const root = makeWebRoot({ empty: true }).root;
    const s = await startServer({ webRoot: root });
    const r = await get(s, '/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], HTML);
    assert.match(r.text, /Hallway/);
    await s.stop();
  });
});

describe('CSP of HTML pages with inline scripts', { timeout: 15000 }, () => {
  const inline = [
    '(self.__next_f=self.__next_f||[]).push([0])',
    '\n  self.__next_f.push([1,"0:[\\"$\\",\\"html\\",null]\\n"]); // é – ✓ \n',
  ];
  const hash = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8')
    .digest('base64')}'`;
  let s;
  before(async () => {
    const web = makeWebRoot();
    fs.writeFileSync(path.join(web.root, 'page.html'), '<!doctype html><html><head>'
      + '<script src="/_next/static/chunks/main-abc123.js" async=""></script>'
      + `<SCRIPT>${inline[0]}</SCRIPT></head><body><p title="a > b">x</p>`
      + `<script data-note='x>y'>${inline[1]}</script></body></html>\n`);
    s = await startServer({ webRoot: web.root });
  });
  after(async () => { await s?.stop(); });

  test('a page with two inline scripts lists exactly their two hashes in script-src', async () => {
    const base = (await get(s, '/app.js')).headers['content-security-policy'];
    assert.ok(base.includes("script-src 'self';"), `default CSP ${base}`);
    for (const p of ['/page.html', '/page']) {
      const r = await get(s, p, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(r.status, 200);
      const csp = r.headers['content-security-policy'];
      assert.equal(csp, base.replace("script-src 'self';",
        `script-src 'self' ${hash(inline[0])} ${hash(inline[1])};`), p);
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
      assert.equal(scriptSrc.split(' ').filter((t) => t.startsWith("'sha256-")).length, 2);
      assert.ok(!scriptSrc.includes('unsafe-inline'), scriptSrc);
      // The rest of the security headers are still there.
      assert.equal(r.headers['x-frame-options'], 'DENY');
      const etag = r.headers.etag;
      const again = await get(s, p, { headers: { 'If-None-Match': etag, 'Accept-Encoding': 'gzip' } });
      assert.equal(again.status, 304);
      assert.equal(again.headers['content-security-policy'], csp, `${p}: 304`);
    }
  });

  test('pages without inline scripts and other files get the default CSP', async () => {
    const base = (await get(s, '/style.css')).headers['content-security-policy'];
    assert.ok(!base.includes('sha256-'), base);
    for (const p of ['/', '/about', '/app.js', '/logo.png', '/missing.js']) {
      assert.equal((await get(s, p)).headers['content-security-policy'], base, p);
    }
  });
});
