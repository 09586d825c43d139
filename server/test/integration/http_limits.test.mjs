// Limits: header and body sizes, request and idle timeouts, connection limits (global and per
// IP); keep-alive and pipelining.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  HOST, buildRequest, cleanupAll, getWithHeaderBytes, openRaw, parseResponse, postWithLength,
  rawExchange, sleep, startServer,
} from './lib/server.mjs';

after(cleanupAll);

const GET = (p, headers = {}) => buildRequest('GET', p, headers);

describe('size limits (--max-header-bytes 2KiB --max-body-bytes 1KiB)', { timeout: 20000 }, () => {
  let s;
  before(async () => {
    s = await startServer({ args: ['--max-header-bytes', '2KiB', '--max-body-bytes', '1KiB'] });
  });
  after(async () => { await s?.stop(); });

  test('headers over the limit → 431', async () => {
    const r = await getWithHeaderBytes(s.port, 3000);
    assert.equal(r.status, 431, `got ${JSON.stringify(r.text.slice(0, 80))}`);
  });

  test('headers well under the limit → 200', async () => {
    const r = await getWithHeaderBytes(s.port, 1200);
    assert.equal(r.status, 200);
  });

  test('many small headers adding up over the limit → 431', async () => {
    const headers = { Connection: 'close' };
    for (let i = 0; i < 60; i += 1) headers[`X-H${i}`] = 'v'.repeat(40);
    const r = await rawExchange(s.port, buildRequest('GET', '/', headers), { timeoutMs: 2000 });
    assert.match(r.text, /^HTTP\/1\.1 431 /);
  });

  test('POST with Content-Length over the limit → 413 (answered from the headers)', async () => {
    const r = await postWithLength(s.port, 2000);
    assert.equal(r.status, 413, `got ${JSON.stringify(r.text.slice(0, 80))}`);
  });

  test('POST within the limit is not refused for size', async () => {
    const r = await postWithLength(s.port, 1000, { body: 'z'.repeat(1000) });
    assert.ok(r.status !== null, 'no response');
    assert.notEqual(r.status, 413);
  });

  test('the server still answers after refusals', async () => {
    const r = await rawExchange(s.port, GET('/healthz', { Connection: 'close' }));
    assert.equal(parseResponse(r.text).status, 200);
  });
});

describe('timeouts (--request-timeout 1s --idle-timeout 1s)', { timeout: 20000 }, () => {
  let s;
  before(async () => {
    s = await startServer({ args: ['--request-timeout', '1s', '--idle-timeout', '1s'] });
  });
  after(async () => { await s?.stop(); });

  test('an incomplete request that stalls → 408 or close within ~3 s', async () => {
    const c = await openRaw(s.port);
    const t0 = Date.now();
    await c.write(`GET /app.js HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: `);
    await c.waitFor(() => c.closed || /^HTTP\/1\.1 408 [^]*\r\n\r\n/.test(c.text), 3200);
    const elapsed = Date.now() - t0;
    assert.ok(c.closed || /^HTTP\/1\.1 408 /.test(c.text),
      `still open after ${elapsed} ms; received ${JSON.stringify(c.text.slice(0, 80))}`);
    assert.ok(elapsed >= 700, `cut after ${elapsed} ms, before the 1 s request timeout`);
    if (c.text.length > 0) assert.match(c.text, /^HTTP\/1\.1 408 /);
    c.destroy();
  });

  test('a body that stalls → 408 or close within ~3 s', async () => {
    const c = await openRaw(s.port);
    const t0 = Date.now();
    await c.write(buildRequest('POST', '/', { 'Content-Length': '10' }, 'abc'));
    await c.waitFor(() => c.closed || /^HTTP\/1\.1 408 [^]*\r\n\r\n/.test(c.text), 3200);
    const elapsed = Date.now() - t0;
    assert.ok(c.closed || /^HTTP\/1\.1 408 /.test(c.text), `still open after ${elapsed} ms`);
    assert.ok(elapsed >= 700, `cut after ${elapsed} ms`);
    if (c.text.length > 0) assert.match(c.text, /^HTTP\/1\.1 408 /);
    c.destroy();
  });

  test('an idle keep-alive connection is closed after ~1 s', async () => {
    const c = await openRaw(s.port);
    await c.write(GET('/healthz'));
    const r = await c.readResponse();
    assert.equal(r.status, 200);
    const t0 = Date.now();
    assert.equal(await c.waitClose(3000), true, 'idle connection still open after 3 s');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 600, `closed after ${elapsed} ms`);
    c.destroy();
  });

  test('a client that keeps sending requests is not cut by the idle timeout', async () => {
    const c = await openRaw(s.port);
    for (let i = 0; i < 4; i += 1) {
      await c.write(GET('/healthz'));
      assert.equal((await c.readResponse()).status, 200, `request ${i}`);
      await sleep(400);
    }
    assert.equal(c.closed, false);
    c.destroy();
  });
});

/**
 * Opens a connection that should be refused: waits briefly for an immediate answer, otherwise
 * sends a request; then waits for the server to close. Resolves the RawConn.
 */
async function refusedConnection(port) {
  const c = await openRaw(port);
  await c.waitFor(() => c.text.length > 0 || c.closed, 300);
  if (c.text.length === 0 && !c.closed) await c.write(GET('/healthz')).catch(() => {});
  await c.waitClose(2500);
  return c;
}

/** Opens `n` connections and completes one request on each so the server has counted them. */
async function openCounted(port, n) {
  const conns = [];
  for (let i = 0; i < n; i += 1) {
    const c = await openRaw(port);
    await c.write(GET('/healthz'));
    assert.equal((await c.readResponse()).status, 200, `connection ${i + 1}`);
    conns.push(c);
  }
  return conns;
}

describe('connection limits', { timeout: 30000 }, () => {
  test('--max-connections-per-ip 3: the 4th connection gets 429 and is closed', { timeout: 15000 },
    async () => {
      const s = await startServer({ args: ['--max-connections-per-ip', '3'] });
      const conns = await openCounted(s.port, 3);
      const fourth = await refusedConnection(s.port);
      assert.match(fourth.text, /^HTTP\/1\.1 429 /, `4th got ${JSON.stringify(fourth.text.slice(0, 80))}`);
      assert.equal(fourth.closed, true, '4th connection not closed');
      for (const [i, c] of conns.entries()) {
        await c.write(GET('/healthz'));
        const r = await c.readResponse();
        assert.equal(r.status, 200, `connection ${i + 1} after the refusal`);
      }
      // Closing one frees a slot.
      conns[0].destroy();
      let ok = false;
      for (let i = 0; i < 20 && !ok; i += 1) {
        const r = await rawExchange(s.port, GET('/healthz', { Connection: 'close' }), { timeoutMs: 1000 });
        ok = /^HTTP\/1\.1 200 /.test(r.text);
        if (!ok) await sleep(100);
      }
      assert.ok(ok, 'no new connection accepted after one of the three closed');
      for (const c of conns) c.destroy();
      await s.stop();
    });

  test('--max-connections 2: the 3rd connection gets 503 and is closed', { timeout: 15000 },
    async () => {
      const s = await startServer({ args: ['--max-connections', '2'] });
      const conns = await openCounted(s.port, 2);
      const third = await refusedConnection(s.port);
      assert.match(third.text, /^HTTP\/1\.1 503 /, `3rd got ${JSON.stringify(third.text.slice(0, 80))}`);
      assert.equal(third.closed, true, '3rd connection not closed');
      for (const [i, c] of conns.entries()) {
        await c.write(GET('/healthz'));
        assert.equal((await c.readResponse()).status, 200, `connection ${i + 1} after the refusal`);
      }
      for (const c of conns) c.destroy();
      await s.stop();
    });
});

describe('keep-alive and pipelining', { timeout: 20000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  test('two requests on one connection are both answered', async () => {
    const c = await openRaw(s.port);
    await c.write(GET('/style.css'));
    const a = await c.readResponse();
    assert.equal(a.status, 200);
    assert.deepEqual(a.bodyBuffer, s.fixture.files['style.css']);
    assert.doesNotMatch(a.headers.connection ?? '', /close/i);
    assert.equal(c.closed, false);
    await c.write(GET('/about'));
    const b = await c.readResponse();
    assert.equal(b.status, 200);
    assert.deepEqual(b.bodyBuffer, s.fixture.files['about.html']);
    c.destroy();
  });

  test('pipelined requests in one write get their responses in order', async () => {
    const c = await openRaw(s.port);
    await c.write(GET('/style.css') + GET('/about') + GET('/missing.js') + GET('/healthz'));
    const rs = [];
    for (let i = 0; i < 4; i += 1) rs.push(await c.readResponse());
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 404, 200]);
    assert.deepEqual(rs[0].bodyBuffer, s.fixture.files['style.css']);
    assert.deepEqual(rs[1].bodyBuffer, s.fixture.files['about.html']);
    c.destroy();
  });

  test('Connection: close → the server closes after the response', async () => {
    const c = await openRaw(s.port);
    await c.write(GET('/style.css', { Connection: 'close' }));
    const r = await c.readResponse();
    assert.equal(r.status, 200);
    assert.equal(await c.waitClose(2000), true);
    c.destroy();
  });
});
