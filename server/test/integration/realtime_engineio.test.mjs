// Engine.IO heartbeat and error answers against the test server ($HALLWAY_TEST_SERVER_BIN,
// --ping-interval 300ms --ping-timeout 200ms).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  WsConn, cleanupRealtime, connectedClient, emitAck, httpBase, parseOpenPacket, parseSioPacket,
  pollGet, pollingHandshake, rawSocketIo, sleep, websocketUrl,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

let server;
before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
    args: ['--ping-interval', '300ms', '--ping-timeout', '200ms'] });
});
after(async () => { await server?.stop(); });

describe('heartbeat (--ping-interval 300ms --ping-timeout 200ms)', { timeout: 20000 }, () => {
  test('the open packet advertises the intervals (websocket and polling)', async () => {
    const c = WsConn.open(websocketUrl(server));
    const open = parseOpenPacket(await c.next());
    assert.equal(open.pingInterval, 300);
    assert.equal(open.pingTimeout, 200);
    assert.deepEqual(open.upgrades, []);
    c.close();
    const p = await pollingHandshake(server);
    assert.equal(p.open.pingInterval, 300);
    assert.equal(p.open.pingTimeout, 200);
    assert.deepEqual(p.open.upgrades, ['websocket']);
  });

  test('a raw websocket that never answers pings is closed after ~500 ms', async () => {
    const c = WsConn.open(websocketUrl(server));
    parseOpenPacket(await c.next());
    c.send('40');
    assert.ok((await c.nextNonPing()).startsWith('40'));
    await c.waitClose(3000);
    const elapsed = c.closedAt - c.openedAt;
    assert.ok(elapsed >= 400 && elapsed <= 1500, `closed after ${elapsed} ms (expected ~500)`);
    const pings = c.messages.filter((m) => m.data === '2').length;
    assert.ok(pings >= 1, 'the server must have sent a ping before giving up');
  });

  test('a raw websocket that answers pings stays up for 2 s, then still echoes', async () => {
    const r = await rawSocketIo(server, { hello: true });
    r.conn.answerPings();
    await sleep(2000);
    assert.equal(r.conn.closed, false, `closed: ${JSON.stringify(r.conn.closeInfo)}`);
    assert.ok(r.conn.pingsAnswered >= 4, `only ${r.conn.pingsAnswered} pings in 2 s`);
    r.conn.send('4231["echo","still"]');
    const ack = await r.conn.nextMatching((d) => d.startsWith('43'));
    assert.deepEqual(parseSioPacket(ack.slice(1)), { type: 3, attachments: 0, nsp: '/', id: 31,
      data: ['still'] });
    r.conn.close();
  });

  test('a polling session that never polls is closed after ~500 ms', async () => {
    const { sid } = await pollingHandshake(server);
    await sleep(800);
    const g = await pollGet(server, sid, { timeoutMs: 3000 });
    assert.equal(g.status, 400);
  });

  for (const transport of ['websocket', 'polling']) {
    test(`socket.io-client (${transport}) stays connected for 2 s`, async () => {
      const s = await connectedClient(server, { transports: [transport] });
      let reason = null;
      s.on('disconnect', (r) => { reason = r; });
      await sleep(2000);
      assert.equal(reason, null, `disconnected: ${reason}`);
      assert.deepEqual(await emitAck(s, 3000, 'echo', 'alive'), ['alive']);
    });
  }
});

describe('Engine.IO error answers', { timeout: 20000 }, () => {
  const errorOf = async (r) => {
    assert.equal(r.status, 400);
    return JSON.parse(await r.text());
  };

  /** A WebSocket to `url` is refused (HTTP 400) or closed without any Engine.IO packet. */
  async function assertUpgradeRefused(url) {
    const c = WsConn.open(url);
    await c.waitClose(3000);
    assert.deepEqual(c.messages.map((m) => m.data), [], 'no packet may be sent');
    if (c.unexpected) assert.equal(c.unexpected.status, 400);
  }

  test('unknown transport → 400 {"code":0,"message":"Transport unknown"}', async () => {
    const r = await fetch(`${httpBase(server)}/socket.io/?EIO=4&transport=unknown`);
    assert.deepEqual(await errorOf(r), { code: 0, message: 'Transport unknown' });
  });

  test('unknown sid → 400 {"code":1,"message":"Session ID unknown"} (GET, POST, upgrade)',
    async () => {
      const base = `${httpBase(server)}/socket.io/?EIO=4&transport=polling&sid=doesnotexist`;
      assert.deepEqual(await errorOf(await fetch(base)), { code: 1, message: 'Session ID unknown' });
      assert.deepEqual(await errorOf(await fetch(base, { method: 'POST', body: '40' })),
        { code: 1, message: 'Session ID unknown' });
      await assertUpgradeRefused(websocketUrl(server, { sid: 'doesnotexist' }));
    });

  test('EIO=3 → 400 {"code":5,"message":"Unsupported protocol version"}', async () => {
    const r = await fetch(`${httpBase(server)}/socket.io/?EIO=3&transport=polling`);
    assert.deepEqual(await errorOf(r), { code: 5, message: 'Unsupported protocol version' });
    await assertUpgradeRefused(websocketUrl(server, { eio: '3' }));
  });

  test('two concurrent polling GETs on one sid: the second gets 400, the first completes, the session is closed',
    async () => {
      const { sid } = await pollingHandshake(server);
      const first = pollGet(server, sid, { timeoutMs: 3000 });
      await sleep(20);
      const second = await pollGet(server, sid, { timeoutMs: 3000 });
      assert.equal(second.status, 400);
      const f = await first;
      assert.equal(f.status, 200);
      assert.equal(f.text, '1', 'the pending GET ends with a close packet');
      const third = await pollGet(server, sid, { timeoutMs: 3000 });
      assert.equal(third.status, 400);
    });

  test('a live session is not disturbed by refused requests with a similar sid', async () => {
    const s = await connectedClient(server, { transports: ['polling'] });
    const r = await fetch(`${httpBase(server)}/socket.io/?EIO=4&transport=polling&sid=${s.io.engine.id}x`);
    assert.equal(r.status, 400);
    await r.arrayBuffer();
    assert.deepEqual(await emitAck(s, 3000, 'echo', 1), [1]);
    assert.equal(s.connected, true);
  });
});
