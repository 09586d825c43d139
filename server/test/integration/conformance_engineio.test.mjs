// Port of the Engine.IO v4 protocol test suite (socketio/socket.io,
// docs/engine.io-protocol/v4-test-suite/test-suite.js, the "Test suite" section of
// docs/engine.io-protocol/v4-current.md) from mocha/chai to node:test, against
// `hallway --conformance` ($HALLWAY_BIN): pingInterval 300 ms, pingTimeout 200 ms, maxPayload
// 1000000, CORS "*"; /engine.io/ echoes every message back.
//
// Every `it` of the suite is here, in order; a test's name is the suite's describe path and
// `it` text joined by " › ". Timings and orderings are exactly the suite's. Deviations from the
// original (all stricter, never weaker) are marked "PORT:".
//   - WebSocket events are buffered (WsConn), as in the suite's newest createWebSocket().
//   - The "fails with an invalid ... query parameter" WebSocket tests await the close (the
//     older revision of the suite forgot the `await`).
//   - Where a message packet is expected on a WebSocket, pings ("2") that happen to arrive
//     first are skipped (nextNonPing); tests that close on invalid input answer pings, so the
//     close cannot come from the ping timeout instead.
//   - "closes the session upon ping timeout" (WebSocket) also checks that the close came no
//     earlier than the ping timeout; "ignores WebSocket connection with same sid after upgrade"
//     also checks that the second WebSocket was accepted (101) before it was closed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  EIO_PATH, WsConn, cleanupRealtime, pollingUrl, sleep, websocketUrl,
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

const polling = (sid, extra = '') => pollingUrl(server, { path: EIO_PATH, sid, extra });
const wsUrl = (sid) => websocketUrl(server, { path: EIO_PATH, sid });
const createWebSocket = (url) => WsConn.open(url);

async function initLongPollingSession() {
  const response = await fetch(polling());
  const content = await response.text();
  return JSON.parse(content.substring(1)).sid;
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

describe('Engine.IO protocol (v4 test suite)', { timeout: 60000 }, () => {
  // ---------------------------------------------------------------- handshake
  test('handshake › HTTP long-polling › successfully opens a session', T, async () => {
    const response = await fetch(`${URL}/engine.io/?EIO=4&transport=polling`);
    assert.equal(response.status, 200);
    const content = await response.text();
    assert.ok(content.startsWith('0'), `content ${JSON.stringify(content)}`);
    assertHandshake(JSON.parse(content.substring(1)), ['websocket']);
  });

  test("handshake › HTTP long-polling › fails with an invalid 'EIO' query parameter", T, async () => {
    const response = await fetch(`${URL}/engine.io/?transport=polling`);
    assert.equal(response.status, 400);
    const response2 = await fetch(`${URL}/engine.io/?EIO=abc&transport=polling`);
    assert.equal(response2.status, 400);
  });

  test("handshake › HTTP long-polling › fails with an invalid 'transport' query parameter", T,
    async () => {
      const response = await fetch(`${URL}/engine.io/?EIO=4`);
      assert.equal(response.status, 400);
      const response2 = await fetch(`${URL}/engine.io/?EIO=4&transport=abc`);
      assert.equal(response2.status, 400);
    });

  test('handshake › HTTP long-polling › fails with an invalid request method', T, async () => {
    const response = await fetch(`${URL}/engine.io/?EIO=4&transport=polling`, { method: 'post' });
    assert.equal(response.status, 400);
    const response2 = await fetch(`${URL}/engine.io/?EIO=4&transport=polling`, { method: 'put' });
    assert.equal(response2.status, 400);
  });

  test('handshake › WebSocket › successfully opens a session', T, async () => {
    const socket = createWebSocket(`${WS_URL}/engine.io/?EIO=4&transport=websocket`);
    const data = await socket.next();
    assert.equal(typeof data, 'string');
    assert.ok(data.startsWith('0'), `data ${JSON.stringify(data)}`);
    assertHandshake(JSON.parse(data.substring(1)), []);
    socket.close();
  });

  test("handshake › WebSocket › fails with an invalid 'EIO' query parameter", T, async () => {
    const socket = createWebSocket(`${WS_URL}/engine.io/?transport=websocket`);
    await socket.waitClose();
    const socket2 = createWebSocket(`${WS_URL}/engine.io/?EIO=abc&transport=websocket`);
    await socket2.waitClose();
  });

  test("handshake › WebSocket › fails with an invalid 'transport' query parameter", T, async () => {
    const socket = createWebSocket(`${WS_URL}/engine.io/?EIO=4`);
    await socket.waitClose();
    const socket2 = createWebSocket(`${WS_URL}/engine.io/?EIO=4&transport=abc`);
    await socket2.waitClose();
  });

  // ---------------------------------------------------------------- message
  test('message › HTTP long-polling › sends and receives a payload containing one plain text packet',
    T, async () => {
      const sid = await initLongPollingSession();
      const pushResponse = await fetch(polling(sid), { method: 'post', body: '4hello' });
      assert.equal(pushResponse.status, 200);
      assert.equal(await pushResponse.text(), 'ok');
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 200);
      assert.equal(await pollResponse.text(), '4hello');
    });

  test('message › HTTP long-polling › sends and receives a payload containing several plain text packets',
    T, async () => {
      const sid = await initLongPollingSession();
      const pushResponse = await fetch(polling(sid),
        { method: 'post', body: '4test1\x1e4test2\x1e4test3' });
      assert.equal(pushResponse.status, 200);
      assert.equal(await pushResponse.text(), 'ok');
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 200);
      assert.equal(await pollResponse.text(), '4test1\x1e4test2\x1e4test3');
    });

  test('message › HTTP long-polling › sends and receives a payload containing plain text and binary packets',
    T, async () => {
      const sid = await initLongPollingSession();
      const pushResponse = await fetch(polling(sid), { method: 'post', body: '4hello\x1ebAQIDBA==' });
      assert.equal(pushResponse.status, 200);
      assert.equal(await pushResponse.text(), 'ok');
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 200);
      assert.equal(await pollResponse.text(), '4hello\x1ebAQIDBA==');
    });

  test('message › HTTP long-polling › closes the session upon invalid packet format', T, async () => {
    const sid = await initLongPollingSession();
    try {
      const pushResponse = await fetch(polling(sid), { method: 'post', body: 'abc' });
      // The suite expects 400 here, but its try/catch also swallows that assertion (the
      // reference server answers 200 "ok" and closes the session afterwards): 200 or 400.
      assert.ok([200, 400].includes(pushResponse.status), `POST: HTTP ${pushResponse.status}`);
      await pushResponse.arrayBuffer();
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      // the request may be closed abnormally (fetch throws)
    }
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 400);
  });

  test('message › HTTP long-polling › closes the session upon duplicate poll requests', T,
    async () => {
      const sid = await initLongPollingSession();
      const pollResponses = await Promise.all([
        fetch(polling(sid)),
        sleep(5).then(() => fetch(polling(sid, '&t=burst'))),
      ]);
      assert.equal(pollResponses[0].status, 200);
      assert.equal(await pollResponses[0].text(), '1');
      // the Node.js implementation uses HTTP 500, but HTTP 400 seems more suitable
      assert.ok([400, 500].includes(pollResponses[1].status),
        `second poll: HTTP ${pollResponses[1].status}`);
      await pollResponses[1].arrayBuffer();
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 400);
    });

  test('message › HTTP long-polling › closes the session upon cancelled polling request', T,
    async () => {
      const sid = await initLongPollingSession();
      const controller = new AbortController();
      fetch(polling(sid), { signal: controller.signal }).catch(() => {});
      await sleep(5);
      controller.abort();
      const pollResponse = await fetch(polling(sid));
      assert.equal(pollResponse.status, 400);
    });

  test('message › WebSocket › sends and receives a plain text packet', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.waitOpen();
    await socket.next(); // handshake
    socket.send('4hello');
    assert.equal(await socket.nextNonPing(), '4hello');
    socket.close();
  });

  test('message › WebSocket › sends and receives a binary packet', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // handshake
    socket.send(Uint8Array.from([1, 2, 3, 4]));
    const data = await socket.nextNonPing();
    assert.ok(Buffer.isBuffer(data), `expected a binary frame, got ${JSON.stringify(data)}`);
    assert.deepEqual([...data], [1, 2, 3, 4]);
    socket.close();
  });

  test('message › WebSocket › closes the session upon invalid packet format', T, async () => {
    const socket = createWebSocket(wsUrl());
    socket.answerPings(); // PORT: so that only the invalid packet can cause the close
    await socket.next(); // handshake
    socket.send('abc');
    await socket.waitClose(2000);
    socket.close();
  });

  // ---------------------------------------------------------------- heartbeat
  test('heartbeat › HTTP long-polling › sends ping/pong packets', T, async () => {
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

  test('heartbeat › HTTP long-polling › closes the session upon ping timeout', T, async () => {
    const sid = await initLongPollingSession();
    await sleep(PING_INTERVAL + PING_TIMEOUT);
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 400);
  });

  test('heartbeat › WebSocket › sends ping/pong packets', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // handshake
    for (let i = 0; i < 3; i++) {
      assert.equal(await socket.next(), '2');
      socket.send('3');
    }
    socket.close();
  });

  test('heartbeat › WebSocket › closes the session upon ping timeout', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.waitOpen();
    await socket.waitClose(3000);
    // PORT: the close must be the ping timeout (pingInterval + pingTimeout), not something else.
    const elapsed = socket.closedAt - socket.openedAt;
    assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 100, `closed after only ${elapsed} ms`);
  });

  // ---------------------------------------------------------------- close
  test('close › HTTP long-polling › forcefully closes the session', T, async () => {
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

  test('close › WebSocket › forcefully closes the session', T, async () => {
    const socket = createWebSocket(wsUrl());
    await socket.next(); // handshake
    socket.send('1');
    await socket.waitClose(2000);
  });

  // ---------------------------------------------------------------- upgrade
  test('upgrade › successfully upgrades from HTTP long-polling to WebSocket', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe'); // send probe
    assert.equal(await socket.next(), '3probe');
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 200);
    // "noop" packet to cleanly end the HTTP long-polling request
    assert.equal(await pollResponse.text(), '6');
    socket.send('5'); // complete upgrade
    socket.send('4hello');
    assert.equal(await socket.nextNonPing(), '4hello');
  });

  test('upgrade › ignores HTTP requests with same sid after upgrade', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe');
    assert.equal(await socket.next(), '3probe');
    socket.send('5');
    const pollResponse = await fetch(polling(sid));
    assert.equal(pollResponse.status, 400);
    socket.send('4hello');
    assert.equal(await socket.nextNonPing(), '4hello');
  });

  test('upgrade › ignores WebSocket connection with same sid after upgrade', T, async () => {
    const sid = await initLongPollingSession();
    const socket = createWebSocket(wsUrl(sid));
    await socket.waitOpen();
    socket.send('2probe');
    assert.equal(await socket.next(), '3probe');
    socket.send('5');
    const socket2 = createWebSocket(wsUrl(sid));
    await socket2.waitClose();
    assert.equal(socket2.unexpected, null); // PORT (stricter): accepted, then closed
    socket.send('4hello');
    assert.equal(await socket.nextNonPing(), '4hello');
  });
});

// Not part of the suite: --conformance only supplies defaults; flags given with it win (so the
// same echo server can be driven by thousands of connections in benchmarks).
describe('--conformance with explicit flags', { timeout: 15000 }, () => {
  test('explicit --ping-interval/--ping-timeout/--max-payload/--max-sessions-per-ip win', T,
    async () => {
      const s = await startServer({ webRoot: tempDir('hallway-web-'), args: ['--conformance',
        '--ping-interval', '2s', '--ping-timeout', '1500ms', '--max-payload', '2048',
        '--max-sessions-per-ip', '1'] });
      try {
        const url = pollingUrl(s, { path: EIO_PATH });
        const first = await fetch(url);
        assert.equal(first.status, 200);
        const open = JSON.parse((await first.text()).substring(1));
        assert.equal(open.pingInterval, 2000);
        assert.equal(open.pingTimeout, 1500);
        assert.equal(open.maxPayload, 2048);
        const second = await fetch(url);
        assert.equal(second.status, 429);
        await second.arrayBuffer();
      } finally {
        await s.stop();
      }
    });
});
