// Operations: health/readiness, Prometheus metrics, structured logs without IP addresses,
// generated secrets.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  HOST, RawConn, cleanupAll, get, getMetrics, request, runBinary, sleep, startServer, tempDir,
} from './lib/server.mjs';
import { findSamples, parsePrometheusText, sumSamples } from './lib/prometheus.mjs';

after(cleanupAll);

describe('health, readiness, metrics', { timeout: 20000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  test('GET /healthz → 200 {"status":"ok"}', async () => {
    const r = await get(s, '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(JSON.parse(r.text).status, 'ok');
  });

  test('GET /readyz → 200 {"status":"ready"}', async () => {
    const r = await get(s, '/readyz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(JSON.parse(r.text).status, 'ready');
  });

  const scrape = async () => {
    const r = await getMetrics(s);
    assert.equal(r.status, 200);
    assert.ok((r.headers['content-type'] ?? '').startsWith('text/plain; version=0.0.4'),
      `content-type ${r.headers['content-type']}`);
    return parsePrometheusText(r.text);
  };

  test('metrics are not public: the main port answers /metrics with 404', async () => {
    assert.ok(s.opsUrl, 'the harness found no ops_listening line');
    assert.notEqual(s.opsPort, s.port);
    const r = await get(s, '/metrics');
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.text, /hallway_/);
    assert.equal(JSON.parse(r.text).error.code, 'not_found');
    // Health probes stay on the main port (load balancers) and are on the ops port too.
    assert.equal((await get(s, '/healthz')).status, 200);
    assert.equal((await request(`${s.opsUrl}/healthz`)).status, 200);
    assert.equal((await request(`${s.opsUrl}/readyz`)).status, 200);
  });

  test('the ops listener serves only the ops routes', async () => {
    for (const p of ['/', '/index.html', '/api/stats', '/socket.io/?EIO=4&transport=polling']) {
      const r = await request(`${s.opsUrl}${p}`);
      assert.equal(r.status, 404, `${p} on the ops port answered ${r.status}`);
    }
  });

  test('GET /metrics is valid Prometheus text with the required metrics', async () => {
    await get(s, '/');
    const m = await scrape();
    const requests = findSamples(m, 'hallway_http_requests_total');
    assert.ok(requests.length > 0, 'no hallway_http_requests_total samples');
    assert.equal(m.families.get('hallway_http_requests_total').type, 'counter');
    for (const x of requests) {
      assert.ok('route' in x.labels && 'status' in x.labels, `labels of ${x.raw}`);
    }
    const gauge = findSamples(m, 'hallway_open_connections');
    assert.equal(gauge.length >= 1, true, 'no hallway_open_connections');
    assert.equal(m.families.get('hallway_open_connections').type, 'gauge');
    assert.ok(gauge[0].value >= 1, 'the scrape itself is an open connection');
    const rss = findSamples(m, 'hallway_process_resident_memory_bytes');
    assert.equal(rss.length >= 1, true, 'no hallway_process_resident_memory_bytes');
    assert.ok(rss[0].value > 1024 * 1024, `resident memory ${rss[0].value}`);
    const bytes = findSamples(m, 'hallway_http_response_bytes_total');
    assert.ok(bytes.length >= 1, 'no hallway_http_response_bytes_total');
    assert.equal(m.families.get('hallway_http_response_bytes_total').type, 'counter');
    assert.ok(bytes.reduce((a, b) => a + b.value, 0) > 0, 'no response bytes counted');
  });

  test('the requests counter for route="static", status="200" increases', async () => {
    const before_ = sumSamples(await scrape(), 'hallway_http_requests_total',
      { route: 'static', status: '200' });
    for (let i = 0; i < 3; i += 1) assert.equal((await get(s, '/style.css')).status, 200);
    // Counters may be updated just after the response is written.
    let after_ = before_;
    for (let i = 0; i < 20 && after_ < before_ + 3; i += 1) {
      after_ = sumSamples(await scrape(), 'hallway_http_requests_total',
        { route: 'static', status: '200' });
      if (after_ < before_ + 3) await sleep(50);
    }
    assert.ok(after_ >= before_ + 3, `static/200 went from ${before_} to ${after_}`);
  });

  test('a 404 is counted under its status', async () => {
    const before_ = sumSamples(await scrape(), 'hallway_http_requests_total', { status: '404' });
    assert.equal((await get(s, '/missing.js')).status, 404);
    let after_ = before_;
    for (let i = 0; i < 20 && after_ <= before_; i += 1) {
      after_ = sumSamples(await scrape(), 'hallway_http_requests_total', { status: '404' });
      if (after_ <= before_) await sleep(50);
    }
    assert.ok(after_ >= before_ + 1, `404 count went from ${before_} to ${after_}`);
  });
});

describe('ops listener lifecycle', { timeout: 20000 }, () => {
  test('--ops-listen "" disables it; shutdown closes the ops acceptor too', async () => {
    const off = await startServer({ args: ['--ops-listen', ''] });
    assert.equal(off.opsUrl, null);
    assert.equal((await get(off, '/metrics')).status, 404);
    await off.stop();

    // A scraper's keep-alive connection to the ops port does not hold shutdown for the grace.
    const on = await startServer({ args: ['--shutdown-grace', '8s'] });
    const scraper = await RawConn.open(on.opsPort);
    await scraper.write(`GET /metrics HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    assert.ok(await scraper.waitFor(() => /hallway_open_connections/.test(scraper.text), 3000));
    const started = Date.now();
    assert.equal((await on.stop('SIGTERM', 12000)).code, 0);
    assert.ok(Date.now() - started < 4000, `shutdown took ${Date.now() - started} ms`);
    assert.ok(await scraper.waitFor(() => scraper.closed, 2000), 'ops connection left open');
  });

  test('a bad --ops-listen exits 2 naming the setting', async () => {
    const r = await runBinary(['--ops-listen', 'nonsense']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ops-listen/);
  });
});

describe('logging and privacy', { timeout: 20000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  test('every stdout line is a JSON object with ts, level, msg; listening carries port and tls',
    async () => {
      await get(s, '/healthz');
      await sleep(100);
      assert.deepEqual(s.badLines, [], 'non-JSON stdout lines');
      for (const l of s.logs) {
        assert.equal(typeof l.ts, 'string', `ts in ${l.__raw}`);
        assert.equal(typeof l.level, 'string', `level in ${l.__raw}`);
        assert.equal(typeof l.msg, 'string', `msg in ${l.__raw}`);
      }
      assert.equal(s.listening.port, s.port);
      assert.equal(s.listening.tls, false);
    });

  test('http_request lines: method, path, status, duration_ms, hashed client, never the IP',
    async () => {
      assert.equal((await get(s, '/about')).status, 200);
      assert.equal((await get(s, '/missing.js')).status, 404);
      const a = await s.waitForLog((l) => l.msg === 'http_request' && l.path === '/about');
      const b = await s.waitForLog((l) => l.msg === 'http_request' && l.path === '/missing.js');
      for (const l of [a, b]) {
        assert.equal(l.level, 'debug', l.__raw);
        assert.equal(l.method, 'GET', l.__raw);
        assert.equal(typeof l.duration_ms, 'number', l.__raw);
        assert.ok(l.duration_ms >= 0, l.__raw);
        assert.match(String(l.client), /^[0-9a-f]{16}$/, l.__raw);
      }
      assert.equal(a.status, 200);
      assert.equal(b.status, 404);
      assert.equal(a.client, b.client, 'same peer, different client hash');
      const requestLines = s.logs.filter((l) => l.msg === 'http_request');
      assert.ok(requestLines.length >= 2);
      for (const l of requestLines) {
        assert.ok(!l.__raw.includes(HOST), `request log line contains the peer IP: ${l.__raw}`);
      }
    });

  test('--log-level info logs no http_request lines', async () => {
    const q = await startServer({ logLevel: 'info' });
    assert.equal((await get(q, '/')).status, 200);
    assert.equal((await get(q, '/healthz')).status, 200);
    await sleep(300);
    assert.deepEqual(q.logs.filter((l) => l.msg === 'http_request').map((l) => l.__raw), []);
    assert.ok(q.logs.every((l) => !['debug', 'trace'].includes(l.level)), 'debug lines at info level');
    await q.stop();
  });
});

/** The client hash logged for one request to a fresh server with these options. */
async function clientHash(opts) {
  const s = await startServer(opts);
  assert.equal((await get(s, '/healthz')).status, 200);
  const l = await s.waitForLog((x) => x.msg === 'http_request');
  await s.stop();
  return l.client;
}

describe('secrets', { timeout: 30000 }, () => {
  test('jwt.key and ip-hash.key are created 0600 under <data-dir>/secrets and reused',
    { timeout: 15000 }, async () => {
      const dataDir = tempDir('hallway-data-');
      const s1 = await startServer({ dataDir });
      assert.equal((await get(s1, '/healthz')).status, 200);
      const h1 = (await s1.waitForLog((x) => x.msg === 'http_request')).client;
      await s1.stop();
      const files = ['jwt.key', 'ip-hash.key'].map((f) => path.join(dataDir, 'secrets', f));
      const contents = files.map((f) => {
        assert.ok(fs.existsSync(f), `${f} missing`);
        const st = fs.statSync(f);
        assert.ok(st.isFile(), `${f} is not a file`);
        assert.equal(st.mode & 0o777, 0o600, `${f} mode ${(st.mode & 0o777).toString(8)}`);
        const c = fs.readFileSync(f);
        assert.ok(c.length >= 16, `${f} has only ${c.length} bytes`);
        return c;
      });
      assert.notDeepEqual(contents[0], contents[1], 'the two secrets are the same');

      const s2 = await startServer({ dataDir });
      assert.equal((await get(s2, '/healthz')).status, 200);
      const h2 = (await s2.waitForLog((x) => x.msg === 'http_request')).client;
      await s2.stop();
      files.forEach((f, i) => assert.deepEqual(fs.readFileSync(f), contents[i], `${f} changed`));
      assert.equal(h1, h2, 'the client hash changed across a restart with the same data dir');

      // A fresh data dir gets fresh secrets (they are random, not fixed).
      const other = tempDir('hallway-data-');
      const s3 = await startServer({ dataDir: other });
      await s3.stop();
      assert.notDeepEqual(fs.readFileSync(path.join(other, 'secrets', 'jwt.key')), contents[0]);
    });

  test('the client hash is keyed by --ip-hash-key', { timeout: 15000 }, async () => {
    const k1 = crypto.randomBytes(32).toString('hex');
    const k2 = crypto.randomBytes(32).toString('hex');
    const a = await clientHash({ args: ['--ip-hash-key', k1] });
    const b = await clientHash({ args: ['--ip-hash-key', k1] });
    const c = await clientHash({ args: ['--ip-hash-key', k2] });
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(a, b, 'same key, same peer, different hashes');
    assert.notEqual(a, c, 'different keys gave the same hash');
  });
});
