// Slow readers against the test server ($HALLWAY_TEST_SERVER_BIN, default --send-queue-bytes
// 256KiB): a raw WebSocket client completes the Engine.IO + Socket.IO handshake, stops reading
// (ws.pause(): the TCP socket is not read any more) and asks for a flood.
//   - non-volatile flood: the server closes that connection within ~15 s and its resident
//     memory stays below baseline + 100 MB; other clients are unaffected.
//   - volatile flood: the server drops what it cannot queue (dropped > 0) and keeps the
//     connection.
// Whether the server closed a connection the client does not read is seen in /proc/net/tcp:
// the server's end of it leaves ESTABLISHED (FIN_WAIT*, gone after RST, ...).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cleanupRealtime, connectedClient, emitAck, healthStatus, isSioEvent, parseSioPacket,
  pollUntil, rawSocketIo, residentBytes, serverClosed, serverEndState, sleep,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

const MB = 1024 * 1024;
let server;
let bystander;

before(async () => {
  // Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) and counts as
  // resident, whatever the server does: keep it small so the RSS bound measures the server.
  // (Other sanitizer options are kept; a binary without ASan ignores the variable.)
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
    env: { ASAN_OPTIONS: asan } });
  bystander = await connectedClient(server, { transports: ['websocket'] });
});
after(async () => { await server?.stop(); });

describe('slow reader', { timeout: 45000 }, () => {
  test('non-volatile flood to a paused reader: connection closed within 15 s, memory bounded',
    async (t) => {
      // Warm up, then take the baseline.
      for (let i = 0; i < 5; i += 1) await emitAck(bystander, 3000, 'echo', 'warm', 'x'.repeat(1000));
      const baseline = await residentBytes(server);

      const r = await rawSocketIo(server, { hello: true });
      const clientPort = r.conn.localPort;
      assert.equal(serverEndState(server.port, clientPort), 'ESTABLISHED');
      r.conn.pause();
      const t0 = Date.now();
      r.conn.send('421["flood",20000,1000,false]');

      let maxRss = baseline;
      let rssError = null;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          try { maxRss = Math.max(maxRss, await residentBytes(server)); } catch (e) { rssError = e; }
          await sleep(250);
        }
      })();
      const closed = await pollUntil(() => serverClosed(server.port, clientPort), 15000, 100);
      const elapsed = Date.now() - t0;
      sampling = false;
      await sampler;
      maxRss = Math.max(maxRss, await residentBytes(server));

      t.diagnostic(`closed after ${elapsed} ms; RSS ${(baseline / MB).toFixed(1)} → max `
        + `${(maxRss / MB).toFixed(1)} MB`);
      assert.ok(closed, `the server kept the paused reader's connection for ${elapsed} ms `
        + `(state ${serverEndState(server.port, clientPort)})`);
      assert.equal(rssError, null, `/metrics failed during the flood: ${rssError}`);
      assert.ok(maxRss < baseline + 100 * MB, `resident memory grew from ${(baseline / MB).toFixed(1)} `
        + `to ${(maxRss / MB).toFixed(1)} MB`);

      // The client side: once it reads again it sees the end of the stream, well before 20 MB.
      let received = 0;
      r.conn.ws._socket.on('data', (d) => { received += d.length; });
      r.conn.resume();
      assert.ok(await r.conn.closesWithin(10000), 'the client must see the connection end');
      assert.ok(received < 20000 * 1000, `the client received ${received} bytes: the whole flood`);

      // Nobody else was affected.
      assert.equal(bystander.connected, true);
      assert.deepEqual(await emitAck(bystander, 3000, 'echo', 'after-flood'), ['after-flood']);
      assert.equal(await healthStatus(server), 200);
    });

  test('volatile flood to a paused reader: dropped > 0, the connection survives', async () => {
    const r = await rawSocketIo(server, { hello: true });
    const clientPort = r.conn.localPort;
    r.conn.pause();
    r.conn.send('422["flood",20000,1000,true]');
    await sleep(1500);
    assert.equal(serverEndState(server.port, clientPort), 'ESTABLISHED',
      'the server must keep a connection whose volatile packets it drops');
    r.conn.resume();

    let items = 0;
    let ack = null;
    const deadline = Date.now() + 20000;
    while (!ack && Date.now() < deadline) {
      const d = await r.conn.nextNonPing(Math.max(1, deadline - Date.now()));
      if (isSioEvent(d, 'flood-item')) {
        items += 1;
        const p = parseSioPacket(d.slice(1));
        assert.equal(p.data.length, 2, 'volatile events carry no offset');
        assert.equal(p.data[1].length, 1000);
      } else if (typeof d === 'string' && d.startsWith('432')) {
        ack = parseSioPacket(d.slice(1));
      }
    }
    assert.ok(ack, 'no ack for the volatile flood');
    assert.equal(ack.id, 2);
    const [{ queued, dropped }] = ack.data;
    assert.ok(dropped > 0, `nothing was dropped (queued ${queued})`);
    assert.equal(queued + dropped, 20000);
    assert.equal(items, queued, 'every queued item must be delivered before the ack');

    // Still alive and well.
    r.conn.send('423["echo","alive"]');
    const echoAck = await r.conn.nextMatching((d) => typeof d === 'string' && d.startsWith('433'),
      5000);
    assert.deepEqual(parseSioPacket(echoAck.slice(1)).data, ['alive']);
    assert.equal(r.conn.closed, false);
    r.conn.close();
  });
});
