// Abuse through (and around) the reverse proxy: clients behind the shipped nginx must be told
// apart, forwarding headers from anyone but a trusted proxy must change nothing, one address
// (an IPv6 /64) must not take unlimited identities or guests. A real nginx (Debian package)
// runs the shipped deploy/nginx/hallway.conf (lib/nginx.mjs rewrites only ports and paths).
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { io as ioClient } from 'socket.io-client';

import {
  assertAckOk, closeAllGuests, emitAck, openGuest, sendAndReceive, uniqueTag, waitFor,
  waitPayload,
} from './lib/chat.mjs';
import { nginxBinary, startNginx } from './lib/nginx.mjs';
import { pollUntil } from './lib/realtime.mjs';
import { HOST, cleanupAll, getMetrics, startServer, testServerBinaryPath } from './lib/server.mjs';

const liveSockets = new Set();
after(async () => {
  for (const s of liveSockets) s.close();
  closeAllGuests();
  await cleanupAll();
});

/** One request from `localAddress` (127.0.0.x) with node's client: {status, headers, json}. */
function call(url, { method = 'GET', headers = {}, body, localAddress = HOST } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`,
      method, headers, localAddress, agent: false, rejectUnauthorized: false,
      servername: u.protocol === 'https:' ? 'localhost' : undefined }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const createGuest = (base, { headers = {}, ...opts } = {}) => call(`${base}/api/guest`,
  { method: 'POST', body: '{}', ...opts, headers: { 'content-type': 'application/json', ...headers } });

/** Statuses of `n` guest creations in a row. */
async function creations(base, n, opts = {}) {
  const out = [];
  for (let i = 0; i < n; i += 1) out.push((await createGuest(base, opts)).status);
  return out;
}

const skipNginx = nginxBinary() ? false : 'nginx is not installed (scripts/bootstrap.sh --test)';

describe('behind the shipped nginx (TLS ends at the proxy)', { timeout: 60000, skip: skipNginx }, () => {
  let s;
  let proxy;
  before(async () => {
    s = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
      args: ['--trusted-proxies', '127.0.0.1/32', '--guest-create-rate', '2'] });
    proxy = await startNginx({ upstreamPort: s.port });
  });
  after(async () => {
    await proxy?.stop();
    await s?.stop();
  });

  test('clients behind the proxy get separate rate limits', async () => {
    assert.deepEqual(await creations(proxy.url, 3, { localAddress: '127.0.0.2' }), [201, 201, 429]);
    // Another client of the same proxy still has its own full bucket.
    assert.deepEqual(await creations(proxy.url, 2, { localAddress: '127.0.0.3' }), [201, 201]);
  });

  test('a spoofed X-Forwarded-For sent through the proxy gives no fresh identity', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await createGuest(proxy.url, { localAddress: '127.0.0.4',
        headers: { 'x-forwarded-for': `198.51.100.${10 + i}` } })).status);
    }
    assert.deepEqual(statuses, [201, 201, 429]);
  });

  test('the https Origin of a browser is accepted through the proxy, with HSTS', async () => {
    const origin = `https://${HOST}:${proxy.tlsPort}`;
    const r = await call(`${proxy.url}/socket.io/?EIO=4&transport=polling`,
      { headers: { origin }, localAddress: '127.0.0.5' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /^0\{"sid"/);
    const page = await call(`${proxy.url}/api/stats`, { localAddress: '127.0.0.5' });
    assert.match(page.headers['strict-transport-security'] ?? '', /max-age=\d+/);
    // A foreign origin is still refused.
    const foreign = await call(`${proxy.url}/socket.io/?EIO=4&transport=polling`,
      { headers: { origin: 'https://evil.example' }, localAddress: '127.0.0.5' });
    assert.notEqual(foreign.status, 200);
  });

  test('socket.io-client connects through nginx over WebSocket and polling and echoes', async () => {
    for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
      const socket = ioClient(proxy.url, { transports, forceNew: true, reconnection: false,
        rejectUnauthorized: false, timeout: 5000 });
      liveSockets.add(socket);
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const echoed = await socket.timeout(5000).emitWithAck('echo', { hi: transports.join('+') });
      assert.deepEqual(echoed, { hi: transports.join('+') });
      if (transports.length === 2) {
        await pollUntil(() => socket.io.engine.transport.name === 'websocket', 5000);
        const again = await socket.timeout(5000).emitWithAck('echo', 'after upgrade');
        assert.equal(again, 'after upgrade');
      }
      socket.close();
    }
  });

  test('/metrics is not served through the proxy', async () => {
    const r = await call(`${proxy.url}/metrics`);
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.text, /hallway_/);
    assert.equal((await getMetrics(s)).status, 200, 'the ops listener still serves it');
  });
});

describe('the chat through the shipped nginx', { timeout: 60000, skip: skipNginx }, () => {
  let s;
  let proxy;
  before(async () => {
    s = await startServer({ logLevel: 'info', args: ['--trusted-proxies', '127.0.0.1/32'] });
    proxy = await startNginx({ upstreamPort: s.port });
  });
  after(async () => {
    closeAllGuests();
    await proxy?.stop();
    await s?.stop();
  });

  test('two guests behind the proxy (WebSocket and polling) are matched and chat', async () => {
    const tag = uniqueTag('proxy');
    const join = async (localAddress, transports) => {
      const r = await createGuest(proxy.url, { localAddress,
        body: JSON.stringify({ interests: [tag] }) });
      assert.equal(r.status, 201, r.text);
      const socket = openGuest(proxy.url, r.json.token, { transports, rejectUnauthorized: false });
      const c = await waitFor(socket, (e) => e.event === '$connect' || e.event === '$connect_error',
        { timeoutMs: 8000, what: 'connect' });
      assert.equal(c.event, '$connect', `refused: ${c.args[0]?.message}`);
      await waitPayload(socket, 'connection:established');
      return { socket };
    };
    const a = await join('127.0.0.2', ['websocket']);
    const b = await join('127.0.0.3', ['polling']);
    assertAckOk(await emitAck(a.socket, 'user:match', { mode: 'text' }), 'user:match (a)');
    assertAckOk(await emitAck(b.socket, 'user:match', { mode: 'text' }), 'user:match (b)');
    const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
      waitPayload(b.socket, 'user:matched')]);
    assert.equal(ma.roomId, mb.roomId);
    const ab = await sendAndReceive(a, b, 'hello through nginx');
    assert.equal(ab.msg.text, 'hello through nginx');
    const ba = await sendAndReceive(b, a, 'and back over polling');
    assert.equal(ba.msg.text, 'and back over polling');
  });
});

describe('forwarding headers straight to hallway', { timeout: 60000 }, () => {
  let s;
  before(async () => {
    s = await startServer({ logLevel: 'info', args: ['--trusted-proxies', '127.0.0.1/32',
      '--guest-create-rate', '2', '--max-connections-per-ip', '2'] });
  });
  after(async () => { await s?.stop(); });

  test('spoofed X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await createGuest(s.url, { localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-forwarded-proto': 'https' } });
      statuses.push(r.status);
      assert.equal(r.headers['strict-transport-security'], undefined,
        'X-Forwarded-Proto from an untrusted peer turned HSTS on');
    }
    assert.deepEqual(statuses, [201, 201, 429]);
    // Nor does it make a browser's https Origin pass over plain HTTP.
    const r = await call(`${s.url}/socket.io/?EIO=4&transport=polling`, { localAddress: '127.0.0.2',
      headers: { origin: `https://${HOST}:${s.port}`, 'x-forwarded-proto': 'https' } });
    assert.notEqual(r.status, 200, 'a spoofed X-Forwarded-Proto made the https Origin pass');
  });

  test('one IPv6 /64 behind a trusted proxy counts as one address', async () => {
    const from = (xff) => createGuest(s.url, { headers: { 'x-forwarded-for': xff } });
    assert.equal((await from('2001:db8:1:2::a')).status, 201);
    assert.equal((await from('2001:db8:1:2:ffff:1:2:3')).status, 201);
    assert.equal((await from('2001:db8:1:2::c')).status, 429, 'a new /128 in the same /64 got fresh tokens');
    assert.equal((await from('2001:db8:1:3::1')).status, 201, 'another /64 is another client');
    // The right-most untrusted entry counts, whatever is written before it.
    assert.equal((await from('2001:db8:1:2::1, 2001:db8:1:3::9')).status, 201);
    assert.equal((await from('2001:db8:1:3::5')).status, 429);
  });

  test("a trusted proxy's connections are not limited as if it were one client", async () => {
    const open = (localAddress) => new Promise((resolve, reject) => {
      const c = net.connect({ host: HOST, port: s.port, localAddress }, () => resolve(c));
      c.once('error', reject);
    });
    const answer = (c) => new Promise((resolve) => {
      let buf = '';
      c.on('data', (d) => {
        buf += d;
        if (buf.includes('\r\n\r\n')) resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1]));
      });
      c.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0)));
      c.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    });
    const conns = [];
    try {
      for (let i = 0; i < 6; i += 1) conns.push(await open(HOST));  // the trusted proxy
      const statuses = [];
      for (const c of conns) statuses.push(await answer(c));
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
      // A client's own connections are still bounded (2 per address here).
      const mine = [await open('127.0.0.2'), await open('127.0.0.2'), await open('127.0.0.2')];
      conns.push(...mine);
      const own = [];
      for (const c of mine) own.push(await answer(c));
      assert.deepEqual(own, [200, 200, 429]);
    } finally {
      for (const c of conns) c.destroy();
    }
  });
});

describe('guest caps per address', { timeout: 60000 }, () => {
  test('one address cannot create more than N live guests', async () => {
    const s = await startServer({ logLevel: 'info', args: ['--max-guests-per-ip', '3',
      '--guest-create-rate', '1000', '--session-ttl', '5s'] });
    const mine = await creations(s.url, 4, { localAddress: '127.0.0.2' });
    assert.deepEqual(mine, [201, 201, 201, 429]);
    const refused = await createGuest(s.url, { localAddress: '127.0.0.2' });
    assert.equal(refused.status, 429);
    assert.equal(refused.json?.error?.code, 'too_many_guests');
    // Another address is not affected.
    assert.equal((await createGuest(s.url, { localAddress: '127.0.0.3' })).status, 201);
    // When the sessions expire, the address may create guests again.
    let status = 0;
    assert.ok(await pollUntil(async () => {
      status = (await createGuest(s.url, { localAddress: '127.0.0.2' })).status;
      return status === 201;
    }, 12000, 250), `still ${status} after the sessions' TTL`);
    await s.stop();
  });
});
