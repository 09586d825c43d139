// Connection state recovery with the real socket.io-client against the test server
// ($HALLWAY_TEST_SERVER_BIN): --recovery-window 10s (recovered: same id, rooms kept, every
// event missed while away delivered in order, no duplicates) and --recovery-window 1s (expired:
// a new id, recovered false, rooms gone). Plus the raw protocol: "pid" in the CONNECT answer,
// an offset as last argument of events without ack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cleanupRealtime, client, connectedClient, emitAck, isSioEvent, once, parseSioPacket,
  rawSocketIo, sleep, splitOffset, waitConnected, waitEvent,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

let server;
let shortServer;
before(async () => {
  [server, shortServer] = await Promise.all([
    startServer({ bin: testServerBinaryPath(), logLevel: 'info',
      args: ['--recovery-window', '10s'] }),
    startServer({ bin: testServerBinaryPath(), logLevel: 'info',
      args: ['--recovery-window', '1s'] }),
  ]);
});
after(async () => { await Promise.all([server?.stop(), shortServer?.stop()]); });

/** Event names the server sent to `socket` from index `from` on, with args sans offset. */
const eventsSince = (socket, name, from = 0) => socket.received.slice(from)
  .filter((r) => r.event === name).map((r) => splitOffset(r.args).args);

/**
 * a (transport `transport`, automatic reconnection after 800 ms) joins "lobby"; b (websocket)
 * joins too. Once a has lost its transport (`drop(a)`), b sends 5 room events, a binary one
 * and a direct one (to the room named by a's id, as socket.io's id rooms); then a reconnects.
 */
async function recoveryScenario(transport, drop) {
  const a = client(server, { transports: [transport], reconnection: true,
    reconnectionDelay: 800, reconnectionDelayMax: 800, randomizationFactor: 0 });
  await waitConnected(a);
  const idA = a.id;
  assert.deepEqual(splitOffset(await waitEvent(a, 'hello')).args, [{ id: idA, recovered: false }]);
  assert.deepEqual(await emitAck(a, 3000, 'join', 'lobby'), [true]);
  const b = await connectedClient(server, { transports: ['websocket'] });
  assert.deepEqual(await emitAck(b, 3000, 'join', 'lobby'), [true]);

  // One room event while connected (a's last offset is then this one's).
  b.emit('to-room', 'lobby', 'room-ev', 0);
  await waitEvent(a, 'room-ev', { pred: (x) => x[0] === 0 });

  const disconnected = once(a, 'disconnect', 5000);
  const reconnected = once(a, 'connect', 8000);
  drop(a);
  const [reason] = await disconnected;
  const mark = a.received.length;

  for (let i = 1; i <= 5; i += 1) b.emit('to-room', 'lobby', 'room-ev', i);
  b.emit('to-room', 'lobby', 'room-ev', 'bin', Buffer.from([6, 6]));
  b.emit('to-room', idA, 'direct-ev', 'd1');
  b.emit('to-room', 'lobby', 'room-ev', 7);
  // Barrier: b's packets are handled in order, so after this ack the server has sent them all.
  await emitAck(b, 3000, 'echo', 'barrier');
  assert.equal(a.connected, false, `a reconnected too early (reason ${reason})`);

  await reconnected;
  return { a, b, idA, mark, reason };
}

describe('connection state recovery within the window (--recovery-window 10s)',
  { timeout: 30000 }, () => {
    const drops = {
      'websocket, socket.io.engine.close()': ['websocket', (a) => a.io.engine.close()],
      'polling, socket.io.engine.close()': ['polling', (a) => a.io.engine.close()],
      'websocket, TCP connection destroyed': ['websocket',
        (a) => a.io.engine.transport.ws._socket.destroy()],
    };
    for (const [name, [transport, drop]] of Object.entries(drops)) {
      test(`${name}: recovered, same id, rooms kept, missed events in order`, async () => {
        const { a, b, idA, mark } = await recoveryScenario(transport, drop);
        assert.equal(a.recovered, true, 'socket.recovered');
        assert.equal(a.id, idA, 'the id must be kept');
        // "hello" after reconnecting says recovered: true.
        assert.deepEqual(splitOffset(await waitEvent(a, 'hello', { from: mark })).args,
          [{ id: idA, recovered: true }]);

        const missed = a.received.slice(mark).filter((r) => r.event === 'room-ev'
          || r.event === 'direct-ev').map((r) => [r.event, ...splitOffset(r.args).args]);
        const normalized = missed.map((m) => m.map((x) => (x instanceof Buffer
          || x instanceof ArrayBuffer || ArrayBuffer.isView(x) ? [...Buffer.from(x)] : x)));
        assert.deepEqual(normalized, [
          ['room-ev', 1], ['room-ev', 2], ['room-ev', 3], ['room-ev', 4], ['room-ev', 5],
          ['room-ev', 'bin', [6, 6]], ['direct-ev', 'd1'], ['room-ev', 7]]);
        assert.equal(eventsSince(a, 'room-ev').filter((x) => x[0] === 0).length, 1,
          'the event received before the drop must not be replayed');

        // Rooms kept: a new room event reaches a.
        const from = a.received.length;
        b.emit('to-room', 'lobby', 'room-ev', 'after');
        assert.deepEqual(splitOffset(await waitEvent(a, 'room-ev', { from })).args, ['after']);
        // And a works normally.
        assert.deepEqual(await emitAck(a, 3000, 'echo', 'ok'), ['ok']);
        a.io.reconnection(false);
        a.disconnect();
        b.disconnect();
      });
    }

    test('a client that disconnects on purpose is not recovered', async () => {
      const a = await connectedClient(server, { transports: ['websocket'] });
      const idA = a.id;
      await emitAck(a, 3000, 'join', 'lobby2');
      a.disconnect(); // DISCONNECT packet: the session is over
      await sleep(100);
      a.connect();
      await waitConnected(a);
      assert.equal(a.recovered, false);
      assert.notEqual(a.id, idA);
    });
  });

describe('connection state recovery after the window (--recovery-window 1s)',
  { timeout: 30000 }, () => {
    test('reconnecting after 1.6 s: recovered false, new id, old rooms gone, nothing replayed',
      async () => {
        const a = client(shortServer, { transports: ['websocket'] });
        await waitConnected(a);
        const idA = a.id;
        await emitAck(a, 3000, 'join', 'lobby');
        const b = await connectedClient(shortServer, { transports: ['websocket'] });
        await emitAck(b, 3000, 'join', 'lobby');
        b.emit('to-room', 'lobby', 'room-ev', 0);
        await waitEvent(a, 'room-ev');

        const disconnected = once(a, 'disconnect', 5000);
        a.io.engine.close();
        await disconnected;
        const mark = a.received.length;
        b.emit('to-room', 'lobby', 'room-ev', 'missed');
        await emitAck(b, 3000, 'echo', 'barrier');
        await sleep(1600);

        a.connect();
        await waitConnected(a);
        assert.equal(a.recovered, false, 'socket.recovered');
        assert.notEqual(a.id, idA, 'a new id after the window');
        assert.deepEqual(splitOffset(await waitEvent(a, 'hello', { from: mark })).args,
          [{ id: a.id, recovered: false }]);

        const from = a.received.length;
        b.emit('to-room', 'lobby', 'room-ev', 'after');
        await waitEvent(b, 'room-ev', { pred: (x) => x[0] === 'after' });
        await emitAck(a, 3000, 'echo', 'sync');
        await sleep(100);
        assert.deepEqual(eventsSince(a, 'room-ev', mark), [],
          `a got room events after the window: ${JSON.stringify(eventsSince(a, 'room-ev', from))}`);
      });

    test('within 1 s the same server still recovers', async () => {
      const a = client(shortServer, { transports: ['websocket'] });
      await waitConnected(a);
      const idA = a.id;
      await waitEvent(a, 'hello');
      const disconnected = once(a, 'disconnect', 5000);
      a.io.engine.close();
      await disconnected;
      await sleep(200);
      a.connect();
      await waitConnected(a);
      assert.equal(a.recovered, true);
      assert.equal(a.id, idA);
    });
  });

describe('recovery on the wire', { timeout: 20000 }, () => {
  test('CONNECT answer has "sid" and "pid"; events without ack end with an offset, acked ones do not',
    async () => {
      const r = await rawSocketIo(server, { hello: true });
      assert.deepEqual(Object.keys(r.connect.data).sort(), ['pid', 'sid']);
      assert.equal(typeof r.connect.data.pid, 'string');
      assert.ok(r.connect.data.pid.length > 0);
      assert.equal(r.hello.length, 3, `hello: ${JSON.stringify(r.hello)}`);
      assert.deepEqual(r.hello.slice(0, 2), ['hello', { id: r.sid, recovered: false }]);
      assert.equal(typeof r.hello[2], 'string');

      // "echo" event: offset appended; the ACK packet: no offset.
      r.conn.send('4213["echo","x"]');
      const got = [];
      while (got.length < 2) got.push(parseSioPacket((await r.conn.nextNonPing()).slice(1)));
      const ev = got.find((p) => p.type === 2);
      const ack = got.find((p) => p.type === 3);
      assert.equal(ev.data.length, 3, `echo event: ${JSON.stringify(ev.data)}`);
      assert.deepEqual(ev.data.slice(0, 2), ['echo', 'x']);
      assert.equal(typeof ev.data[2], 'string');
      assert.notEqual(ev.data[2], r.hello[2], 'offsets must differ');
      assert.equal(ack.id, 13);
      assert.deepEqual(ack.data, ['x']);

      // An event that asks for an ack ("need-ack") carries no offset.
      r.conn.send('42["server-ack",2000]');
      const need = await r.conn.nextMatching((d) => isSioEvent(d, 'need-ack'));
      const p = parseSioPacket(need.slice(1));
      assert.notEqual(p.id, null, 'need-ack must carry an ack id');
      assert.deepEqual(p.data, ['need-ack', 'please']);
      r.conn.close();
    });
});
