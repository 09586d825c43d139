// Memory of the Socket.IO layer (issue 8): a socket's replay buffer is freed when it leaves
// recovery whoever still holds the socket object (the test server's "keep-me" event plays the
// chat gateway, which keeps its guests' sockets for minutes); a connected socket keeps at most
// one recovery window of packets; the gauges that show it return to 0 once clients are gone and
// the windows have passed. Recovery window 1 s, so the file runs in a few seconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  WsConn, cleanupRealtime, parseOpenPacket, parseSioPacket, pollUntil, readGauges, sleep,
  websocketUrl,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

const WINDOW_MS = 1000;
const GAUGES = ['hallway_socketio_sockets', 'hallway_socketio_recoverable_sockets',
  'hallway_socketio_recovery_bytes', 'hallway_socketio_live_buffer_bytes'];

const gauges = (server) => readGauges(server, GAUGES);

const allZero = (g) => GAUGES.every((n) => g[n] === 0);

/** A Socket.IO client on a raw WebSocket (pings answered), connected to "/". */
async function connect(server) {
  const conn = WsConn.open(websocketUrl(server));
  parseOpenPacket(await conn.next(10000));
  conn.answerPings();
  conn.send('40');
  const ok = parseSioPacket((await conn.nextMatching((d) => d.startsWith('40'), 10000)).slice(1));
  assert.equal(ok.type, 0);
  assert.ok(ok.data?.pid, 'recovery is on');
  return Object.assign(conn, { sid: ok.data.sid, pid: ok.data.pid, nextAck: 1 });
}

/** Emits `event` with an ack; resolves the ack's first argument. */
async function call(conn, event, ...args) {
  const id = conn.nextAck;
  conn.nextAck += 1;
  conn.send(`42${id}${JSON.stringify([event, ...args])}`);
  const answer = await conn.nextMatching((d) => d.startsWith(`43${id}[`), 10000);
  return JSON.parse(answer.slice(2 + String(id).length))[0];
}

/** The server sends `count` recoverable packets of `size` bytes to this client. */
async function flood(conn, count, size) {
  const r = await call(conn, 'flood', count, size, false);
  assert.equal(r.queued, count);
}

/** A test server of its own for each describe: a failed test leaves nothing to the next. */
function serverFor() {
  const holder = {};
  before(async () => {
    holder.server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
      args: ['--recovery-window', `${WINDOW_MS}ms`] });
  });
  after(() => holder.server?.stop());
  return holder;
}

describe('recovery sockets the app still holds', { timeout: 30000 }, () => {
  const h = serverFor();

  test('a client drops with 200 kB buffered while the app keeps its socket: after the window '
    + 'the socket holds no packet, and it goes away once the app lets go', async () => {
    const { server } = h;
    const base = await gauges(server);
    const guest = await connect(server);
    assert.equal(await call(guest, 'keep-me'), true);
    await flood(guest, 200, 1000);
    const live = await gauges(server);
    assert.ok(live.hallway_socketio_live_buffer_bytes >= 200_000, JSON.stringify(live));

    guest.terminate();  // transport lost, no DISCONNECT: kept for recovery
    assert.ok(await pollUntil(async () => (await gauges(server))
      .hallway_socketio_recoverable_sockets === base.hallway_socketio_recoverable_sockets + 1,
    5000), 'the dropped socket waits for recovery');
    const away = await gauges(server);
    assert.ok(away.hallway_socketio_recovery_bytes >= 200_000, JSON.stringify(away));
    assert.equal(away.hallway_socketio_live_buffer_bytes, base.hallway_socketio_live_buffer_bytes);

    assert.ok(await pollUntil(async () => (await gauges(server))
      .hallway_socketio_recoverable_sockets === base.hallway_socketio_recoverable_sockets,
    WINDOW_MS + 5000), 'the recovery window ended');
    const probe = await connect(server);
    const kept = await call(probe, 'kept-stats');
    assert.deepEqual(kept, { count: 1, packets: 0, recoverable: 0 },
      'the socket the app still holds keeps no replay buffer');
    const ended = await gauges(server);
    assert.equal(ended.hallway_socketio_recovery_bytes, base.hallway_socketio_recovery_bytes);
    // The kept socket and the probe's own.
    assert.equal(ended.hallway_socketio_sockets, base.hallway_socketio_sockets + 2);

    assert.equal(await call(probe, 'release-kept'), true);
    assert.equal((await gauges(server)).hallway_socketio_sockets,
      base.hallway_socketio_sockets + 1, 'the departed socket object is gone');
    probe.close();
    assert.ok(await pollUntil(async () => allZero(await gauges(server)), WINDOW_MS + 5000),
      `gauges: ${JSON.stringify(await gauges(server))}`);
  });

});

describe('connected sockets', { timeout: 30000 }, () => {
  const h = serverFor();

  test('a connected client receives 300 kB, then more after the window: only the last '
    + "window's packets stay buffered", async () => {
    const { server } = h;
    const guest = await connect(server);
    await flood(guest, 300, 1000);
    const full = (await gauges(server)).hallway_socketio_live_buffer_bytes;
    assert.ok(full >= 300_000, `live buffer ${full}`);
    // The passage of time is the condition tested: every packet above becomes older than the
    // window, and the next delivery trims them.
    await sleep(WINDOW_MS + 100);
    await flood(guest, 5, 1000);
    const trimmed = (await gauges(server)).hallway_socketio_live_buffer_bytes;
    assert.ok(trimmed >= 5000 && trimmed < 10_000,
      `live buffer ${trimmed} bytes after the window (was ${full})`);
    guest.close();
    assert.ok(await pollUntil(async () => allZero(await gauges(server)), WINDOW_MS + 5000),
      `gauges: ${JSON.stringify(await gauges(server))}`);
  });

});

describe('every way of leaving', { timeout: 30000 }, () => {
  const h = serverFor();

  test('12 clients with buffered packets leave in every way (transport lost, namespace '
    + 'DISCONNECT, server disconnect, clean close): every gauge returns to 0', async () => {
    const { server } = h;
    const clients = [];
    for (let i = 0; i < 12; i += 1) {
      const c = await connect(server);
      await flood(c, 50, 1000);
      clients.push(c);
    }
    const during = await gauges(server);
    assert.equal(during.hallway_socketio_sockets, 12);
    assert.ok(during.hallway_socketio_live_buffer_bytes >= 12 * 50_000, JSON.stringify(during));
    for (const [i, c] of clients.entries()) {
      if (i % 4 === 0) c.terminate();
      else if (i % 4 === 1) c.send('41');
      else if (i % 4 === 2) c.send('42["disconnect-me"]');
      else c.close();
    }
    assert.ok(await pollUntil(async () => allZero(await gauges(server)), WINDOW_MS + 5000),
      `gauges: ${JSON.stringify(await gauges(server))}`);
  });
});
