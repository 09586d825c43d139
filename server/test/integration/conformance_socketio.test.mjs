// Port of the Socket.IO v5 protocol test suite (socketio/socket.io,
// docs/socket.io-protocol/v5-test-suite/test-suite.js, the "Test suite" section of
// docs/socket.io-protocol/v5-current.md) from mocha/chai to node:test, against
// `hallway --conformance` ($HALLWAY_BIN): pingInterval 300 ms, pingTimeout 200 ms, maxPayload
// 1000000, connectTimeout 1000 ms, CORS "*", no connection state recovery. On /socket.io/,
// "/" emits "auth" with the CONNECT payload, answers "message" with "message-back" and acks
// "message-with-ack" with its own arguments; "/custom" emits "auth"; other namespaces are
// refused with {"message":"Invalid namespace"}.
//
// Every `it` of the suite is here, in order; a test's name is the suite's describe path and
// `it` text joined by " › ". Timings and orderings are exactly the suite's. Deviations
// (stricter, never weaker) are marked "PORT:":
//   - WebSocket events are buffered (WsConn) instead of one-shot listeners.
//   - The "should fail with an invalid ... query parameter" WebSocket tests await the close (the
//     suite forgets the `await`, so the original tests cannot fail).
//   - Tests that expect a close on invalid input answer pings, so the close cannot come from
//     the ping timeout (pingInterval + pingTimeout = 500 ms) instead; likewise "should close the
//     connection if no handshake is received" answers pings, so the close has to come from
//     connectTimeout.
//   - "should close the session upon ping timeout" (WebSocket) also checks that the close came
//     no earlier than the ping timeout.
//   - The "upgrade" tests also check that the upgraded WebSocket carries the session (the
//     suite only sends "5") and that a second WebSocket is accepted (101) before it is closed;
//     see the individual tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  SIO_PATH, WsConn, cleanupRealtime, pollingUrl, sleep, websocketUrl,
} from './lib/realtime.mjs';
import { startServer, tempDir } from './lib/server.mjs';

after(cleanupRealtime);

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const T = { timeout: 5000 };

let server;
let URL;
let WS_URL;

before(async () => {
  server = await startServer({ args: ['--conformance'], webRoot: tempDir('hallway-web-') });
  URL = `http://127.0.0.1:${server.port}`;
  WS_URL = URL.replace('http', 'ws');
});
after(async () => { await server?.stop(); });

const polling = (sid) => pollingUrl(server, { path: SIO_PATH, sid });
const wsUrl = (sid) => websocketUrl(server, { path: SIO_PATH, sid });
const createWebSocket = (url) => WsConn.open(url);

/** The next `count` messages, pings ("2") ignored (the suite's waitForPackets). */
async function waitForPackets(socket, count) {
  const packets = [];
  while (packets.length < count) packets.push(await socket.nextNonPing());
  return packets;
}

async function initLongPollingSession() {
  const response = await fetch(polling());
  const content = await response.text();
  return JSON.parse(content.substring(1)).sid;
}

async function initSocketIOConnection() {
  const socket = createWebSocket(wsUrl());
  await socket.next(); // Engine.IO handshake
  socket.send('40');
  await socket.next(); // Socket.IO handshake
  await socket.next(); // "auth" packet
  return socket;
}

function assertHandshake(value, upgrades) {
  assert.deepEqual(Object.keys(value).sort(),
    ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.equal(typeof value.sid, 'string');
  assert.deepEqual(value.upgrades, upgrades);
  assert.equal(value.pingInterval, PING_INTERVAL);
  assert.equal(value.pingTimeout, PING_TIMEOUT);
  assert.equal(value.maxPayload, 1000000);
}

const bytes = (b) => {
  assert.ok(Buffer.isBuffer(b), `expected a binary frame, got ${JSON.stringify(b)}`);
  return [...b];
};

describe('Engine.IO protocol (v5 test suite, /socket.io/)', { timeout: 60000 }, () => {
  test('handshake › HTTP long-polling › should successfully open a session', T, async () => {
    const response = await fetch(`${URL}/socket.io/?EIO=4&transport=polling`);
    assert.equal(response.status, 200);
    const content = await response.text();
    assert.ok(content.startsWith('0'), `content ${JSON.stringify(content)}`);
    assertHandshake(JSON.parse(content.substring(1)), ['websocket']);
  });

  test("handshake › HTTP long-polling › should fail with an invalid 'EIO' query parameter", T,
    async () => {
      const response = await fetch(`${URL}/socket.io/?transport=polling`);
      assert.equal(response.status, 400);
      const response2 = await fetch(`${URL}/socket.io/?EIO=abc&transport=polling`);
      assert.equal(response2.status, 400);
    });

  test("handshake › HTTP long-polling › should fail with an invalid 'transport' query parameter",
    T, async () => {
      const response = await fetch(`${URL}/socket.io/?EIO=4`);
      assert.equal(response.status, 400);
      const response2 = await fetch(`${URL}/socket.io/?EIO=4&transport=abc`);
      assert.equal(response2.status, 400);
    });

  test('handshake › HTTP long-polling › should fail with an invalid request method', T,
    async () => {
      const response = await fetch(`${URL}/socket.io/?EIO=4&transport=polling`, { method: 'post' });
      assert.equal(response.status, 400);
      const response2 = await fetch(`${URL}/socket.io/?EIO=4&transport=polling`, { method: 'put' });
      assert.equal(response2.status, 400);
    });

  test('handshake › WebSocket › should successfully open a session', T, async () => {
    const socket = createWebSocket(`${WS_URL}/socket.io/?EIO=4&transport=websocket`);
    const data = await socket.next();
    assert.equal(typeof data, 'string');
    assert.ok(data.startsWith('0'), `data ${JSON.stringify(data)}`);
    assertHandshake(JSON.parse(data.substring(1)), []);
    socket.close();
  });

  test("handshake › WebSocket › should fail with an invalid 'EIO' query parameter", T, async () => {
    const socket = createWebSocket(`${WS_URL}/socket.io/?transport=websocket`);
    await socket.waitClose(); // PORT: awaited
    const socket2 = createWebSocket(`${WS_URL}/socket.io/?EIO=abc&transport=websocket`);
    await socket2.waitClose();
  });

  test("handshake › WebSocket › should fail with an invalid 'transport' query parameter", T,
    async () => {
      const socket = createWebSocket(`${WS_URL}/socket.io/?EIO=4`);
      await socket.waitClose(); // PORT: awaited
      const socket2 = createWebSocket(`${WS_URL}/socket.io/?EIO=4&transport=abc`);
      await socket2.waitClose();
    });

  test('heartbeat › HTTP long-polling › should send ping/pong packets', T, async () => {
    const sid = await initLongPollingSession();
    for (let i = 0; i < 3; i++) {
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 200);
      assert.equal(await pollResponse.text(), '2');
      const pushResponse = await fetch(polling(sid), { method: 'post', body: '3' });
      assert.equal(pushResponse.status, 200);
      await pushResponse.arrayBuffer();
    }
  });

  test('heartbeat › HTTP long-polling › should close the session upon ping timeout', T, async () => {
    const sid = await initLongPollingSession();
    await sleep(PING_INTERVAL + PING_TIMEOUT);
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 400);
  });

  test('heartbeat › WebSocket › should send ping/pong packets', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // handshake
    for (let i = 0; i < 3; i++) {
      assert.equal(await socket.next(), '2');
      socket.send('3');
    }
    socket.close();
  });

  test('heartbeat › WebSocket › should close the session upon ping timeout', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.waitOpen();
    await socket.waitClose(3000);
    const elapsed = socket.closedAt - socket.openedAt;
    assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 100, `closed after only ${elapsed} ms`);
  });

  test('close › HTTP long-polling › should forcefully close the session', T, async () => {
    const sid = await initLongPollingSession();
    const [pollResponse] = await Promise.all([
      fetch(polling(sid)),
      fetch(polling(sid), { method: 'post', body: '1' }),
    ]);
    assert.equal(pollResponse.status, 200);
    assert.equal(await pollResponse.text(), '6');
    const pollResponse2 = await fetch(polling(sid));
    assert.equal(pollResponse2.status, 400);
  });

  test('close › WebSocket › should forcefully close the session', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // handshake
    socket.send('1');
    await socket.waitClose(2000);
  });

  test('upgrade › should successfully upgrade from HTTP long-polling to WebSocket', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe'); // send probe
    assert.equal(await socket.next(), '3probe');
    socket.send('5'); // complete upgrade
    // PORT (stricter): the upgraded transport carries the session: CONNECT over it works.
    socket.send('40');
    assert.match(await socket.nextNonPing(), /^40\{"sid":"[^"]+"\}$/);
  });

  test('upgrade › should ignore HTTP requests with same sid after upgrade', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe');
    socket.send('5');
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 400);
  });

  test('upgrade › should ignore WebSocket connection with same sid after upgrade', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe');
    socket.send('5');
    const socket2 = createWebSocket(wsUrl(sid));
    await socket2.waitClose();
    assert.equal(socket2.unexpected, null); // PORT (stricter): accepted, then closed
    // PORT (stricter): the first WebSocket is still the session's transport.
    assert.equal(await socket.next(), '3probe');
    socket.send('40');
    assert.match(await socket.nextNonPing(), /^40\{"sid":"[^"]+"\}$/);
  });
});

describe('Socket.IO protocol (v5 test suite)', { timeout: 60000 }, () => {
  test('connect › should allow connection to the main namespace', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // Engine.IO handshake
    socket.send('40');
    const data = await socket.next();
    assert.ok(data.startsWith('40'), `data ${JSON.stringify(data)}`);
    const handshake = JSON.parse(data.substring(2));
    assert.deepEqual(Object.keys(handshake), ['sid']);
    assert.equal(typeof handshake.sid, 'string');
    assert.equal(await socket.next(), '42["auth",{}]');
  });

  test('connect › should allow connection to the main namespace with a payload', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // Engine.IO handshake
    socket.send('40{"token":"123"}');
    const data = await socket.next();
    assert.ok(data.startsWith('40'), `data ${JSON.stringify(data)}`);
    const handshake = JSON.parse(data.substring(2));
    assert.deepEqual(Object.keys(handshake), ['sid']);
    assert.equal(typeof handshake.sid, 'string');
    assert.equal(await socket.next(), '42["auth",{"token":"123"}]');
  });

  test('connect › should allow connection to a custom namespace', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // Engine.IO handshake
    socket.send('40/custom,');
    const data = await socket.next();
    assert.ok(data.startsWith('40/custom,'), `data ${JSON.stringify(data)}`);
    const handshake = JSON.parse(data.substring(10));
    assert.deepEqual(Object.keys(handshake), ['sid']);
    assert.equal(typeof handshake.sid, 'string');
    assert.equal(await socket.next(), '42/custom,["auth",{}]');
  });

  test('connect › should allow connection to a custom namespace with a payload', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // Engine.IO handshake
    socket.send('40/custom,{"token":"abc"}');
    const data = await socket.next();
    assert.ok(data.startsWith('40/custom,'), `data ${JSON.stringify(data)}`);
    const handshake = JSON.parse(data.substring(10));
    assert.deepEqual(Object.keys(handshake), ['sid']);
    assert.equal(typeof handshake.sid, 'string');
    assert.equal(await socket.next(), '42/custom,["auth",{"token":"abc"}]');
  });

  test('connect › should disallow connection to an unknown namespace', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // Engine.IO handshake
    socket.send('40/random');
    assert.equal(await socket.next(), '44/random,{"message":"Invalid namespace"}');
  });

  test('connect › should disallow connection with an invalid handshake', T, async () => {
    const socket = createWebSocket(wsUrl());
    socket.answerPings(); // PORT
    await socket.next(); // Engine.IO handshake
    socket.send('4abc');
    await socket.waitClose(2000);
  });

  test('connect › should close the connection if no handshake is received', T, async () => {
    const socket = createWebSocket(wsUrl());
    socket.answerPings(); // PORT: the close must come from connectTimeout (1000 ms)
    await socket.waitOpen();
    await socket.waitClose(3000);
  });

  test('disconnect › should disconnect from the main namespace', T, async () => {
    const socket = await initSocketIOConnection();
    socket.send('41');
    assert.equal(await socket.next(), '2');
  });

  test('disconnect › should connect then disconnect from a custom namespace', T, async () => {
    const socket = await initSocketIOConnection();
    await socket.next(); // ping
    socket.send('40/custom');
    await socket.next(); // Socket.IO handshake
    await socket.next(); // auth packet
    socket.send('41/custom');
    socket.send('42["message","message to main namespace"]');
    assert.equal(await socket.next(), '42["message-back","message to main namespace"]');
  });

  test('message › should send a plain-text packet', T, async () => {
    const socket = await initSocketIOConnection();
    socket.send('42["message",1,"2",{"3":[true]}]');
    assert.equal(await socket.nextNonPing(), '42["message-back",1,"2",{"3":[true]}]');
  });

  test('message › should send a packet with binary attachments', T, async () => {
    const socket = await initSocketIOConnection();
    socket.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    socket.send(Uint8Array.from([1, 2, 3]));
    socket.send(Uint8Array.from([4, 5, 6]));
    const packets = await waitForPackets(socket, 3);
    assert.equal(packets[0],
      '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    assert.deepEqual(bytes(packets[1]), [1, 2, 3]);
    assert.deepEqual(bytes(packets[2]), [4, 5, 6]);
    socket.close();
  });

  test('message › should send a plain-text packet with an ack', T, async () => {
    const socket = await initSocketIOConnection();
    socket.send('42456["message-with-ack",1,"2",{"3":[false]}]');
    assert.equal(await socket.nextNonPing(), '43456[1,"2",{"3":[false]}]');
  });

  test('message › should send a packet with binary attachments and an ack', T, async () => {
    const socket = await initSocketIOConnection();
    socket.send(
      '452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    socket.send(Uint8Array.from([1, 2, 3]));
    socket.send(Uint8Array.from([4, 5, 6]));
    const packets = await waitForPackets(socket, 3);
    assert.equal(packets[0], '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    assert.deepEqual(bytes(packets[1]), [1, 2, 3]);
    assert.deepEqual(bytes(packets[2]), [4, 5, 6]);
    socket.close();
  });

  test('message › should close the connection upon invalid format (unknown packet type)', T,
    async () => {
      const socket = await initSocketIOConnection();
      socket.answerPings(); // PORT
      socket.send('4abc');
      await socket.waitClose(2000);
    });

  test('message › should close the connection upon invalid format (invalid payload format)', T,
    async () => {
      const socket = await initSocketIOConnection();
      socket.answerPings(); // PORT
      socket.send('42{}');
      await socket.waitClose(2000);
    });

  test('message › should close the connection upon invalid format (invalid ack id)', T,
    async () => {
      const socket = await initSocketIOConnection();
      socket.answerPings(); // PORT
      socket.send('42abc["message-with-ack",1,"2",{"3":[false]}]');
      await socket.waitClose(2000);
    });
});
