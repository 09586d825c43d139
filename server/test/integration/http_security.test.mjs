// Security headers on every response and CORS for /api/*.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cleanupAll, get, request, startServer } from './lib/server.mjs';

after(cleanupAll);

function assertSecurityHeaders(r, what) {
  const h = r.headers;
  const csp = h['content-security-policy'];
  assert.ok(csp, `${what}: no content-security-policy`);
  assert.ok(csp.includes("default-src 'self'"), `${what}: CSP ${csp}`);
  assert.ok(csp.includes("frame-ancestors 'none'"), `${what}: CSP ${csp}`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: x-content-type-options`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${what}: referrer-policy`);
  assert.equal(h['x-frame-options'], 'DENY', `${what}: x-frame-options`);
  const pp = h['permissions-policy'];
  assert.ok(pp, `${what}: no permissions-policy`);
  assert.ok(pp.includes('camera=(self)'), `${what}: permissions-policy ${pp}`);
  assert.ok(pp.includes('microphone=(self)'), `${what}: permissions-policy ${pp}`);
  assert.equal(h['strict-transport-security'], undefined, `${what}: HSTS over plain HTTP`);
}

const preflight = (s, origin, p = '/api/x') => request(s, { path: p, method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'content-type' } });

describe('security headers', { timeout: 20000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  test('200 (/ and /app.js)', async () => {
    const r = await get(s, '/');
    assert.equal(r.status, 200);
    assertSecurityHeaders(r, 'GET /');
    const js = await get(s, '/app.js', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assertSecurityHeaders(js, 'GET /app.js');
  });

  test('404', async () => {
    const r = await get(s, '/missing.js');
    assert.equal(r.status, 404);
    assertSecurityHeaders(r, '404');
  });

  test('304', async () => {
    const first = await get(s, '/style.css');
    const r = await get(s, '/style.css', { headers: { 'If-None-Match': first.headers.etag } });
    assert.equal(r.status, 304);
    assertSecurityHeaders(r, '304');
  });

  test('/healthz', async () => {
    const r = await get(s, '/healthz');
    assert.equal(r.status, 200);
    assertSecurityHeaders(r, '/healthz');
  });

  test('405', async () => {
    const r = await request(s, { path: '/', method: 'DELETE' });
    assert.equal(r.status, 405);
    assertSecurityHeaders(r, '405');
  });
});

describe('CORS, default (same origin only)', { timeout: 20000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  test('a cross-origin /api request gets no Access-Control-Allow-Origin', async () => {
    const r = await get(s, '/api/anything', { headers: { Origin: 'http://evil.example' } });
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.equal(r.headers['access-control-allow-credentials'], undefined);
  });

  test('a preflight from another origin → 403', async () => {
    const r = await preflight(s, 'http://evil.example');
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS with --allowed-origins', { timeout: 20000 }, () => {
  let s;
  before(async () => {
    s = await startServer({ args: ['--allowed-origins', 'http://good.example,http://second.example'] });
  });
  after(async () => { await s?.stop(); });

  test('a preflight from an allowed origin → 204 echoing the origin', async () => {
    const r = await preflight(s, 'http://good.example');
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], 'http://good.example');
    assertSecurityHeaders(r, 'preflight 204');
  });

  test('the second origin of the comma-separated list is allowed too', async () => {
    const r = await preflight(s, 'http://second.example');
    assert.equal(r.status, 204);
    assert.equal(r.headers['access-control-allow-origin'], 'http://second.example');
  });

  test('a preflight from an origin not in the list → 403', async () => {
    const r = await preflight(s, 'http://evil.example');
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  test('origins match exactly (no prefix/suffix tricks)', async () => {
    for (const o of ['http://good.example.evil.example', 'http://evilgood.example',
      'https://good.example', 'http://good.example:8080']) {
      const r = await preflight(s, o);
      assert.equal(r.status, 403, o);
      assert.equal(r.headers['access-control-allow-origin'], undefined, o);
    }
  });

  test('a cross-origin /api request from a disallowed origin gets no ACAO', async () => {
    const r = await get(s, '/api/anything', { headers: { Origin: 'http://evil.example' } });
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });
});
