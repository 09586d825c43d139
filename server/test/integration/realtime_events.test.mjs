// Events, acks, auth, binary, rooms and server-side disconnect with the real socket.io-client
// against the test server ($HALLWAY_TEST_SERVER_BIN) started with --recovery-window 0, so event
// arguments arrive exactly as emitted (no trailing offset).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  WsConn, cleanupRealtime, client, connectedClient, emitAck, isSioEvent, once, parseOpenPacket,
  parseSioPacket, rawSocketIo, sleep, toBuffers, waitConnected, waitEvent, waitEvents,
  websocketUrl,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

let server;
before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
    args: ['--recovery-window', '0'] });
});
after(async () => { await server?.stop(); });

const TRANSPORTS = ['websocket', 'polling'];

describe('auth (namespace middleware)', { timeout: 20000 }, () => {
  for (const transport of TRANSPORTS) {
    test(`${transport}: a good token is accepted, "hello" has the socket id`, async () => {
      const s = client(server, { transports: [transport], auth: { token: 'good' } });
      await waitConnected(s);
      assert.deepEqual(await waitEvent(s, 'hello'), [{ id: s.id, recovered: false }]);
    });

    test(`${transport}: no auth payload is accepted`, async () => {
      const s = client(server, { transports: [transport] });
      await waitConnected(s);
      assert.deepEqual(await waitEvent(s, 'hello'), [{ id: s.id, recovered: false }]);
    });

    test(`${transport}: token "bad" is refused: connect_error "unauthorized" {code:"token_invalid"}`,
      async () => {
        const s = client(server, { transports: [transport], auth: { token: 'bad' } });
        const [err] = await once(s, 'connect_error', 5000);
        assert.equal(err.message, 'unauthorized');
        assert.deepEqual(err.data, { code: 'token_invalid' });
        await sleep(200);
        assert.equal(s.connected, false);
        assert.deepEqual(s.received, [], 'a refused socket must receive no event');
      });
  }

  test('raw: the refusal is a CONNECT_ERROR packet 44{"message":"unauthorized","data":{...}}',
    async () => {
      const c = WsConn.open(websocketUrl(server));
      parseOpenPacket(await c.next());
      c.send('40{"token":"bad"}');
      const p = parseSioPacket((await c.nextNonPing()).slice(1));
      assert.equal(p.type, 4);
      assert.equal(p.nsp, '/');
      assert.deepEqual(p.data, { message: 'unauthorized', data: { code: 'token_invalid' } });
      c.close();
    });

  test('raw: with --recovery-window 0 the CONNECT answer has only "sid" and events no offset',
    async () => {
      const r = await rawSocketIo(server, { hello: true });
      assert.deepEqual(Object.keys(r.connect.data), ['sid']);
      assert.deepEqual(r.hello, ['hello', { id: r.sid, recovered: false }]);
      r.conn.send('42["echo","x",1]');
      const e = await r.conn.nextMatching((d) => isSioEvent(d, 'echo'));
      assert.equal(e, '42["echo","x",1]');
      r.conn.close();
    });
});

describe('emit and ack both ways', { timeout: 20000 }, () => {
  for (const transport of TRANSPORTS) {
    test(`${transport}: client → server ack with several, zero and falsy arguments`, async () => {
      const s = await connectedClient(server, { transports: [transport] });
      assert.deepEqual(await emitAck(s, 3000, 'echo', 'a', { b: [1, 2] }), ['a', { b: [1, 2] }]);
      assert.deepEqual(await emitAck(s, 3000, 'echo'), []);
      assert.deepEqual(await emitAck(s, 3000, 'echo', 0, false, null, ''), [0, false, null, '']);
      // Concurrent acks are matched by id, not by order of arrival.
      const many = await Promise.all(Array.from({ length: 20 },
        (_, i) => emitAck(s, 5000, 'echo', `n${i}`)));
      assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => [`n${i}`]));
    });

    test(`${transport}: server → client ack: the client's reply reaches the server`, async () => {
      const s = await connectedClient(server, { transports: [transport] });
      let asked = null;
      s.on('need-ack', (arg, cb) => {
        asked = arg;
        assert.equal(typeof cb, 'function', '"need-ack" must come with an ack callback');
        cb({ answer: 42, list: ['x'] });
      });
      const [res] = await emitAck(s, 5000, 'server-ack', 2000);
      assert.equal(asked, 'please');
      assert.deepEqual(res, { ok: true, reply: { answer: 42, list: ['x'] } });
    });

    test(`${transport}: server → client ack times out when the client does not answer`,
      async () => {
        const s = await connectedClient(server, { transports: [transport] });
        let asked = 0;
        s.on('need-ack', () => { asked += 1; });
        const t0 = Date.now();
        const [res] = await emitAck(s, 5000, 'server-ack', 300);
        const elapsed = Date.now() - t0;
        assert.equal(asked, 1);
        assert.deepEqual(res, { ok: false, error: 'timeout' });
        assert.ok(elapsed >= 250, `the server gave up after only ${elapsed} ms (timeout 300 ms)`);
        assert.ok(elapsed < 3000, `the server took ${elapsed} ms for a 300 ms timeout`);
      });
  }
});

describe('binary arguments round trip through "echo"', { timeout: 20000 }, () => {
  const big = crypto.randomBytes(100 * 1024);
  const cases = {
    'top level': [Buffer.from([1, 2, 3])],
    'mixed with plain values': ['before', Buffer.from([0, 255, 10, 13, 0x1e]), 7, 'after'],
    'nested in objects and arrays': [{ a: { b: [Buffer.from('xyz'), { c: Buffer.from([9]) }] },
      list: [[Buffer.from([4, 5])]] }],
    'several attachments, an empty one, a 100 KiB one': [Buffer.from([1]), Buffer.alloc(0),
      { k: big }, [Buffer.from([2]), Buffer.from([3])]],
    'every byte value': [Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  };
  for (const transport of TRANSPORTS) {
    for (const [name, args] of Object.entries(cases)) {
      test(`${transport}: ${name}`, async () => {
        const s = await connectedClient(server, { transports: [transport] });
        const from = s.received.length;
        const ack = await emitAck(s, 5000, 'echo', ...args);
        assert.deepEqual(toBuffers(ack), args, 'ack');
        const echoed = await waitEvent(s, 'echo', { from });
        assert.deepEqual(toBuffers(echoed), args, '"echo" event');
      });
    }
  }

  test('raw websocket: attachments are sent as binary frames after a 45x-/46x- packet',
    async () => {
      const r = await rawSocketIo(server, { hello: true });
      r.conn.send('451-7["echo",{"_placeholder":true,"num":0}]');
      r.conn.send(Buffer.from([7, 7, 7]));
      const frames = [];
      while (frames.length < 4) frames.push(await r.conn.nextNonPing());
      const texts = frames.filter((f) => typeof f === 'string');
      const bins = frames.filter((f) => Buffer.isBuffer(f));
      assert.deepEqual(texts.sort(), ['451-["echo",{"_placeholder":true,"num":0}]',
        '461-7[{"_placeholder":true,"num":0}]'].sort());
      assert.deepEqual(bins.map((b) => [...b]), [[7, 7, 7], [7, 7, 7]]);
      // Each binary frame follows its own packet.
      for (let i = 0; i < 4; i += 2) {
        assert.equal(typeof frames[i], 'string');
        assert.ok(Buffer.isBuffer(frames[i + 1]));
      }
      r.conn.close();
    });
});

describe('rooms', { timeout: 20000 }, () => {
  test('to-room reaches exactly the members, including the sender; leave works', async () => {
    const [a, b, c] = await Promise.all([
      connectedClient(server, { transports: ['websocket'] }),
      connectedClient(server, { transports: ['polling'] }),
      connectedClient(server, { transports: ['websocket'] }),
    ]);
    assert.deepEqual(await emitAck(a, 3000, 'join', 'r1'), [true]);
    assert.deepEqual(await emitAck(b, 3000, 'join', 'r1'), [true]);
    assert.deepEqual(await emitAck(c, 3000, 'join', 'other'), [true]);

    const mark = () => [a, b, c].map((s) => s.received.length);
    let m = mark();
    a.emit('to-room', 'r1', 'room-msg', 'hi', 1, { x: [true] });
    const [ga, gb] = await Promise.all([
      waitEvent(a, 'room-msg', { from: m[0] }), waitEvent(b, 'room-msg', { from: m[1] })]);
    assert.deepEqual(ga, ['hi', 1, { x: [true] }]);
    assert.deepEqual(gb, ['hi', 1, { x: [true] }]);

    // A non-member sender reaches the members but not itself.
    c.emit('to-room', 'r1', 'room-msg', 'from-c');
    await Promise.all([
      waitEvent(a, 'room-msg', { from: m[0], pred: (x) => x[0] === 'from-c' }),
      waitEvent(b, 'room-msg', { from: m[1], pred: (x) => x[0] === 'from-c' })]);

    // Binary arguments in a room broadcast.
    m = mark();
    b.emit('to-room', 'r1', 'room-bin', Buffer.from([1, 2]), { n: Buffer.from([3]) });
    for (const [s, i] of [[a, 0], [b, 1]]) {
      assert.deepEqual(toBuffers(await waitEvent(s, 'room-bin', { from: m[i] })),
        [Buffer.from([1, 2]), { n: Buffer.from([3]) }]);
    }

    // b leaves: only a gets the next one.
    assert.deepEqual(await emitAck(b, 3000, 'leave', 'r1'), [true]);
    m = mark();
    a.emit('to-room', 'r1', 'room-msg', 'after-leave');
    await waitEvent(a, 'room-msg', { from: m[0], pred: (x) => x[0] === 'after-leave' });
    // A round trip on b and c after the broadcast: anything for them would have arrived first.
    await emitAck(b, 3000, 'echo', 'sync');
    await emitAck(c, 3000, 'echo', 'sync');
    await sleep(100);
    assert.equal(b.received.slice(m[1]).filter((r) => r.event === 'room-msg').length, 0,
      'b left r1 but still got a room message');
    assert.equal(c.received.filter((r) => r.event === 'room-msg' || r.event === 'room-bin').length,
      0, 'c never joined r1 but got a room message');
  });

  test('a room emptied by leave and a disconnect is not an error; rejoin works', async () => {
    const a = await connectedClient(server, { transports: ['websocket'] });
    const b = await connectedClient(server, { transports: ['websocket'] });
    await emitAck(a, 3000, 'join', 'r2');
    await emitAck(b, 3000, 'join', 'r2');
    b.disconnect();
    await emitAck(a, 3000, 'leave', 'r2');
    a.emit('to-room', 'r2', 'room-msg', 'nobody');
    assert.deepEqual(await emitAck(a, 3000, 'echo', 'still-here'), ['still-here']);
    await emitAck(a, 3000, 'join', 'r2');
    const from = a.received.length;
    a.emit('to-room', 'r2', 'room-msg', 'back');
    assert.deepEqual(await waitEvent(a, 'room-msg', { from }), ['back']);
    assert.equal(a.received.filter((r) => r.event === 'room-msg' && r.args[0] === 'nobody').length,
      0);
  });
});

describe('server-side disconnect', { timeout: 20000 }, () => {
  for (const transport of TRANSPORTS) {
    test(`${transport}: "disconnect-me" → disconnect reason "io server disconnect"`, async () => {
      const s = await connectedClient(server, { transports: [transport] });
      const disconnected = once(s, 'disconnect', 5000);
      s.emit('disconnect-me');
      const [reason] = await disconnected;
      assert.equal(reason, 'io server disconnect');
      assert.equal(s.connected, false);
      // The client does not reconnect by itself after a server disconnect; a new socket works.
      const s2 = await connectedClient(server, { transports: [transport] });
      assert.deepEqual(await emitAck(s2, 3000, 'echo', 1), [1]);
    });
  }
});

describe('events from many clients at once', { timeout: 20000 }, () => {
  test('20 clients × 10 acked echoes each', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 },
      (_, i) => connectedClient(server, { transports: [i % 2 ? 'polling' : 'websocket'] })));
    await Promise.all(sockets.map(async (s, i) => {
      for (let j = 0; j < 10; j += 1) {
        assert.deepEqual(await emitAck(s, 5000, 'echo', i, j), [i, j]);
      }
    }));
    await Promise.all(sockets.map((s) => waitEvents(s, 'echo', { count: 10 })));
    for (const s of sockets) s.disconnect();
  });
});
