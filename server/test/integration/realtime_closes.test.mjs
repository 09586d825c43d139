// Why Engine.IO sessions close: hallway_engineio_closes_total{reason} and the engineio_closed log
// line, against the test server ($HALLWAY_TEST_SERVER_BIN, --ping-interval 300ms
// --ping-timeout 200ms, debug log).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { findSamples, parsePrometheusText } from './lib/prometheus.mjs';
import {
  WsConn, cleanupRealtime, parseOpenPacket, pollGet, pollPost, pollUntil, pollingHandshake,
  websocketUrl,
} from './lib/realtime.mjs';
import { getMetrics, startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

const REASONS = ['transport_close', 'client_close', 'transport_error', 'parse_error',
  'ping_timeout', 'slow_consumer', 'server_shutdown', 'upgrade_timeout', 'never_started',
  'forced_close'];

let server;
before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'debug',
    args: ['--ping-interval', '300ms', '--ping-timeout', '200ms'] });
});
after(async () => { await server?.stop(); });

/** {reason: count} of hallway_engineio_closes_total. */
async function closes() {
  const r = await getMetrics(server);
  assert.equal(r.status, 200);
  const parsed = parsePrometheusText(r.text);
  return Object.fromEntries(REASONS.map((reason) => {
    const s = findSamples(parsed, 'hallway_engineio_closes_total', { reason });
    return [reason, s.length ? s[0].value : undefined];
  }));
}

/** Waits until the counter of `reason` is `before[reason] + n`. */
async function counted(before, reason, n = 1) {
  let now;
  const ok = await pollUntil(async () => {
    now = await closes();
    return now[reason] === before[reason] + n;
  }, 3000);
  assert.ok(ok, `${reason}: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
  return now;
}

/** Every reason but `reason` still counts what it counted `before`. */
function othersUnchanged(before, now, reason) {
  for (const r of REASONS) if (r !== reason) assert.equal(now[r], before[r], r);
}

describe('hallway_engineio_closes_total{reason}', { timeout: 20000 }, () => {
  test('every reason is exported from the start', async () => {
    const c = await closes();
    for (const r of REASONS) assert.equal(typeof c[r], 'number', `no sample for reason="${r}"`);
  });

  test('a WebSocket that never answers pings: ping_timeout, logged without address or sid',
    async () => {
      const before = await closes();
      const c = WsConn.open(websocketUrl(server));
      const { sid } = parseOpenPacket(await c.next());
      await c.waitClose(3000);
      othersUnchanged(before, await counted(before, 'ping_timeout'), 'ping_timeout');
      const line = await server.waitForLog((l) => l.msg === 'engineio_closed'
        && l.reason === 'ping_timeout' && l.transport === 'websocket');
      assert.equal(line.__raw.includes(sid), false, 'the sid is logged');
      assert.equal(line.__raw.includes('127.0.0.1'), false, 'an address is logged');
    });

  test('a polling session that stops polling: ping_timeout', async () => {
    const before = await closes();
    const { sid } = await pollingHandshake(server);
    await counted(before, 'ping_timeout');
    assert.equal((await pollGet(server, sid)).status, 400);  // Session ID unknown
  });

  test('a client close packet over WebSocket: client_close', async () => {
    const before = await closes();
    const c = WsConn.open(websocketUrl(server));
    parseOpenPacket(await c.next());
    c.send('1');
    await c.waitClose(3000);
    othersUnchanged(before, await counted(before, 'client_close'), 'client_close');
    await server.waitForLog((l) => l.msg === 'engineio_closed' && l.reason === 'client_close');
  });

  test('a client close packet over polling: client_close', async () => {
    const before = await closes();
    const { sid } = await pollingHandshake(server);
    const poll = pollGet(server, sid);
    const post = await pollPost(server, sid, '1');
    assert.equal(post.status, 200);
    assert.equal((await poll).text, '6');
    othersUnchanged(before, await counted(before, 'client_close'), 'client_close');
  });

  test('a WebSocket the client drops: transport_close', async () => {
    const before = await closes();
    const c = WsConn.open(websocketUrl(server));
    parseOpenPacket(await c.next());
    c.close();
    await counted(before, 'transport_close');
  });

  test('an undecodable packet: parse_error, logged at info', async () => {
    const before = await closes();
    const c = WsConn.open(websocketUrl(server));
    parseOpenPacket(await c.next());
    c.send('x');
    await c.waitClose(3000);
    await counted(before, 'parse_error');
    const line = await server.waitForLog((l) => l.msg === 'engineio_closed'
      && l.reason === 'parse_error');
    assert.equal(line.level, 'info');
  });
});
