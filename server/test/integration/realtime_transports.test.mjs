// Realtime transports with the real socket.io-client against the test server
// ($HALLWAY_TEST_SERVER_BIN, default flags: connection state recovery on, so every event
// without ack carries a trailing offset argument): WebSocket only, HTTP long-polling only, and
// the default (polling, then upgrade to WebSocket). For each: connect, "hello", "echo" with and
// without ack, ordering.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cleanupRealtime, client, emitAck, once, splitOffset, waitConnected, waitEvent, waitEvents,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

let server;
before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info' });
});
after(async () => { await server?.stop(); });

const PAYLOAD = ['text', 42, { nested: [true, null, { deep: 'é✓' }] }, [1, [2, [3]]], -0.5];

async function exercise(socket) {
  await waitConnected(socket);
  assert.equal(typeof socket.id, 'string');
  assert.ok(socket.id.length > 0);

  // "hello" {id, recovered:false} + offset (recovery is on by default).
  const hello = splitOffset(await waitEvent(socket, 'hello'));
  assert.deepEqual(hello.args, [{ id: socket.id, recovered: false }]);
  assert.ok(hello.offset.length > 0, 'empty offset');

  // echo with ack: the ack carries exactly the arguments, the "echo" event too (+ offset).
  const from = socket.received.length;
  const ack = await emitAck(socket, 3000, 'echo', ...PAYLOAD);
  assert.deepEqual(ack, PAYLOAD);
  const echoed = splitOffset(await waitEvent(socket, 'echo', { from }));
  assert.deepEqual(echoed.args, PAYLOAD);

  // echo without ack, 30 in a row: all come back, in order.
  const from2 = socket.received.length;
  for (let i = 0; i < 30; i += 1) socket.emit('echo', 'seq', i);
  const got = await waitEvents(socket, 'echo', { from: from2, count: 30, timeoutMs: 5000 });
  assert.deepEqual(got.map((a) => splitOffset(a).args), Array.from({ length: 30 }, (_, i) => ['seq', i]));
  const offsets = got.map((a) => splitOffset(a).offset);
  assert.equal(new Set(offsets).size, 30, 'offsets must be unique');
}

describe('transports (socket.io-client)', { timeout: 30000 }, () => {
  test('websocket only: connect, hello, echo with ack, ordering', async () => {
    const s = client(server, { transports: ['websocket'] });
    await exercise(s);
    assert.equal(s.io.engine.transport.name, 'websocket');
  });

  test('polling only: connect, hello, echo with ack, ordering', async () => {
    const s = client(server, { transports: ['polling'] });
    await exercise(s);
    assert.equal(s.io.engine.transport.name, 'polling');
  });

  test('default: polling first, then upgrade to websocket; echo before and after', async () => {
    const s = client(server);
    const engine = s.io.engine;
    assert.equal(engine.transport.name, 'polling', 'the first transport must be polling');
    const upgraded = engine.transport.name === 'websocket'
      ? Promise.resolve() : once(engine, 'upgrade', 5000);
    await exercise(s);
    await upgraded;
    assert.equal(s.io.engine.transport.name, 'websocket');
    // The same session after the upgrade.
    const from = s.received.length;
    assert.deepEqual(await emitAck(s, 3000, 'echo', 'after-upgrade', { n: 1 }),
      ['after-upgrade', { n: 1 }]);
    assert.deepEqual(splitOffset(await waitEvent(s, 'echo', { from })).args,
      ['after-upgrade', { n: 1 }]);
  });
});
