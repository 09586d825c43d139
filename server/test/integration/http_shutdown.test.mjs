// Graceful shutdown: SIGTERM drains in-flight requests, readiness flips to draining, the grace
// period bounds the drain, and a second signal exits at once.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import {
  HOST, buildRequest, cleanupAll, openRaw, parseResponse, rawExchange, sleep, startServer,
} from './lib/server.mjs';

after(cleanupAll);

/** A request in flight that never completes: headers announce 10 body bytes, 3 are sent. */
const STALLED_POST = `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 10\r\n\r\nabc`;

/** One request on a new connection; resolves the parsed response (without requiring a close). */
async function fresh(port, p) {
  const c = await openRaw(port);
  await c.write(buildRequest('GET', p));
  const r = await c.readResponse({ timeoutMs: 2000 });
  c.destroy();
  return r;
}

describe('graceful shutdown', { timeout: 40000 }, () => {
  test('SIGTERM on an idle server exits 0 within 3 s and logs "shutdown"', { timeout: 10000 },
    async () => {
      const s = await startServer();
      const t0 = Date.now();
      s.proc.kill('SIGTERM');
      const { code, signal } = await s.waitExit(5000);
      const elapsed = Date.now() - t0;
      assert.equal(signal, null);
      assert.equal(code, 0, `exit code; stderr:\n${s.stderr()}`);
      assert.ok(elapsed < 3000, `took ${elapsed} ms`);
      await sleep(50);
      assert.ok(s.logs.some((l) => l.msg === 'shutdown'), `no "shutdown" log line:\n${s.stdoutLines.join('\n')}`);
    });

  test('SIGTERM drains: readyz 503 draining, healthz 200, in-flight request completes, exit 0',
    { timeout: 15000 }, async () => {
      const s = await startServer({ args: ['--shutdown-grace', '5s'] });
      const inflight = await openRaw(s.port);
      await inflight.write(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\n`
        + 'Content-Length: 10\r\n\r\nhello');
      await sleep(300);
      assert.equal(inflight.text, '', 'the server answered before the body was complete');

      const t0 = Date.now();
      s.proc.kill('SIGTERM');
      await s.waitForLog((l) => l.msg === 'shutdown', 2000).catch(() => {});
      await sleep(100);
      assert.equal(s.proc.exitCode, null, 'exited while a request was in flight');

      const ready = await fresh(s.port, '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(JSON.parse(ready.text).status, 'draining');
      assert.match(ready.headers.connection ?? '', /\bclose\b/i);
      const health = await fresh(s.port, '/healthz');
      assert.equal(health.status, 200);

      await inflight.write('world');
      const r = await inflight.readResponse({ timeoutMs: 3000 });
      assert.ok(r.status >= 200 && r.status < 600, `status ${r.status}`);
      assert.match(r.headers.connection ?? '', /\bclose\b/i, 'in-flight response lacks Connection: close');
      assert.equal(await inflight.waitClose(2000), true, 'connection not closed after the response');

      const { code, signal } = await s.waitExit(5000);
      const elapsed = Date.now() - t0;
      assert.equal(signal, null);
      assert.equal(code, 0, `exit code; stderr:\n${s.stderr()}`);
      assert.ok(elapsed < 4500, `exited ${elapsed} ms after SIGTERM (grace is 5 s)`);
    });

  test('--shutdown-grace 1s bounds the drain of a connection that stalls forever',
    { timeout: 10000 }, async () => {
      const s = await startServer({ args: ['--shutdown-grace', '1s'] });
      const stalled = await openRaw(s.port);
      await stalled.write(STALLED_POST);
      await sleep(200);
      const t0 = Date.now();
      s.proc.kill('SIGTERM');
      const { code, signal } = await s.waitExit(4000);
      const elapsed = Date.now() - t0;
      assert.equal(signal, null);
      assert.equal(code, 0, `exit code; stderr:\n${s.stderr()}`);
      assert.ok(elapsed <= 2500, `took ${elapsed} ms`);
      assert.ok(elapsed >= 700, `exited after ${elapsed} ms, without waiting for the grace period`);
      stalled.destroy();
    });

  for (const second of ['SIGTERM', 'SIGINT']) {
    test(`a second signal (${second}) during the grace period exits at once`, { timeout: 10000 },
      async () => {
        const s = await startServer({ args: ['--shutdown-grace', '10s'] });
        const stalled = await openRaw(s.port);
        await stalled.write(STALLED_POST);
        await sleep(200);
        s.proc.kill('SIGTERM');
        await sleep(400);
        assert.equal(s.proc.exitCode, null, 'exited before the grace period with a request in flight');
        const t0 = Date.now();
        s.proc.kill(second);
        await s.waitExit(1000);
        assert.ok(Date.now() - t0 <= 1000);
        stalled.destroy();
      });
  }

  test('new connections during the drain are answered with Connection: close', { timeout: 10000 },
    async () => {
      const s = await startServer({ args: ['--shutdown-grace', '3s'] });
      const stalled = await openRaw(s.port);
      await stalled.write(STALLED_POST);
      await sleep(200);
      s.proc.kill('SIGTERM');
      await sleep(200);
      const raw = await rawExchange(s.port, buildRequest('GET', '/style.css'), { timeoutMs: 2000 });
      const r = parseResponse(raw.text);
      assert.equal(r.status, 200);
      assert.match(r.headers.connection ?? '', /\bclose\b/i);
      assert.equal(raw.closed, true, 'connection kept open during the drain');
      stalled.destroy();
      const { code } = await s.waitExit(4000);
      assert.equal(code, 0);
    });
});
