// Origin checks on /socket.io/ against the test server ($HALLWAY_TEST_SERVER_BIN,
// --allowed-origins http://good.example): WebSocket upgrades (cross-site WebSocket hijacking)
// and HTTP long-polling (CORS).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  WsConn, cleanupRealtime, client, emitAck, once, parseOpenPacket, pollingUrl, waitConnected,
  websocketUrl,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

const GOOD = 'http://good.example';
const EVIL = 'http://evil.example';

let server;
before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
    args: ['--allowed-origins', GOOD] });
});
after(async () => { await server?.stop(); });

async function upgradeWith(origin) {
  const c = WsConn.open(websocketUrl(server), { origin });
  try {
    const first = await c.next(3000);
    return { c, open: parseOpenPacket(first) };
  } catch {
    await c.waitClose(3000);
    return { c, open: null };
  }
}

describe('WebSocket upgrade Origin check', { timeout: 20000 }, () => {
  test('Origin: http://evil.example → 403, no 101', async () => {
    const { c, open } = await upgradeWith(EVIL);
    assert.equal(c.opened, false, 'the upgrade must not succeed');
    assert.equal(open, null);
    assert.equal(c.unexpected?.status, 403);
  });

  test('Origin: http://good.example → accepted', async () => {
    const { c, open } = await upgradeWith(GOOD);
    assert.equal(c.opened, true);
    assert.equal(typeof open.sid, 'string');
    c.close();
  });

  test('no Origin header (non-browser client) → accepted', async () => {
    const { c, open } = await upgradeWith(undefined);
    assert.equal(c.opened, true);
    assert.equal(typeof open.sid, 'string');
    c.close();
  });

  test('same origin (http://127.0.0.1:<port>) → accepted', async () => {
    const { c, open } = await upgradeWith(`http://127.0.0.1:${server.port}`);
    assert.equal(c.opened, true);
    assert.equal(typeof open.sid, 'string');
    c.close();
  });

  test('an origin that only starts like the allowed one is refused', async () => {
    for (const o of ['http://good.example.evil.example', 'https://good.example',
      'http://good.example:8080', 'null']) {
      const { c } = await upgradeWith(o);
      assert.equal(c.opened, false, `Origin ${o} must be refused`);
      assert.equal(c.unexpected?.status, 403, `Origin ${o}`);
    }
  });

  test('upgrading a polling session from a disallowed origin is refused too', async () => {
    const r = await fetch(pollingUrl(server), { headers: { Origin: GOOD } });
    assert.equal(r.status, 200);
    const sid = parseOpenPacket((await r.text()).split('\x1e')[0]).sid;
    const c = WsConn.open(websocketUrl(server, { sid }), { origin: EVIL });
    await c.waitClose(3000);
    assert.equal(c.opened, false);
    assert.equal(c.unexpected?.status, 403);
  });
});

describe('HTTP long-polling CORS', { timeout: 20000 }, () => {
  test('allowed origin: handshake 200 with Access-Control-Allow-Origin and credentials',
    async () => {
      const r = await fetch(pollingUrl(server), { headers: { Origin: GOOD } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), GOOD);
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
      const sid = parseOpenPacket((await r.text()).split('\x1e')[0]).sid;
      // POST and GET on that session carry the headers too.
      const p = await fetch(pollingUrl(server, { sid }), { method: 'POST', body: '40',
        headers: { Origin: GOOD, 'Content-Type': 'text/plain;charset=UTF-8' } });
      assert.equal(p.status, 200);
      assert.equal(await p.text(), 'ok');
      assert.equal(p.headers.get('access-control-allow-origin'), GOOD);
      assert.equal(p.headers.get('access-control-allow-credentials'), 'true');
      const g = await fetch(pollingUrl(server, { sid }), { headers: { Origin: GOOD } });
      assert.equal(g.status, 200);
      assert.match(await g.text(), /^40\{"sid":"[^"]+"/);
      assert.equal(g.headers.get('access-control-allow-origin'), GOOD);
    });

  test('allowed origin: preflight (OPTIONS) is answered with the CORS headers', async () => {
    const r = await fetch(pollingUrl(server), { method: 'OPTIONS', headers: { Origin: GOOD,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type' } });
    assert.ok([200, 204].includes(r.status), `OPTIONS → ${r.status}`);
    assert.equal(r.headers.get('access-control-allow-origin'), GOOD);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/i);
  });

  test('disallowed origin: 403, no Access-Control-Allow-Origin', async () => {
    const r = await fetch(pollingUrl(server), { headers: { Origin: EVIL } });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    await r.arrayBuffer();
  });

  test('disallowed origin cannot use an existing session either', async () => {
    const r = await fetch(pollingUrl(server));
    const sid = parseOpenPacket((await r.text()).split('\x1e')[0]).sid;
    const p = await fetch(pollingUrl(server, { sid }), { method: 'POST', body: '40',
      headers: { Origin: EVIL } });
    assert.equal(p.status, 403);
    assert.equal(p.headers.get('access-control-allow-origin'), null);
    await p.arrayBuffer();
  });

  test('no Origin header → 200', async () => {
    const r = await fetch(pollingUrl(server));
    assert.equal(r.status, 200);
    parseOpenPacket((await r.text()).split('\x1e')[0]);
  });
});

describe('socket.io-client with an Origin header', { timeout: 20000 }, () => {
  for (const transport of ['websocket', 'polling']) {
    test(`${transport}: good origin connects, evil origin gets connect_error`, async () => {
      const good = client(server, { transports: [transport], extraHeaders: { Origin: GOOD } });
      await waitConnected(good);
      assert.deepEqual(await emitAck(good, 3000, 'echo', 'x'), ['x']);
      const evil = client(server, { transports: [transport], extraHeaders: { Origin: EVIL } });
      await once(evil, 'connect_error', 5000);
      assert.equal(evil.connected, false);
    });
  }
});
