// Malformed and oversize input against the test server ($HALLWAY_TEST_SERVER_BIN,
// --max-payload 64KiB): the offending connection/session is closed, other clients keep working,
// the server stays up (/healthz 200).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cleanupRealtime, client, connectedClient, emitAck, healthStatus, once, parseSioPacket,
  pollGet, pollPost, pollingHandshake, rawSocketIo, splitOffset, splitPayload, waitConnected,
  waitEvent,
} from './lib/realtime.mjs';
import { startServer, testServerBinaryPath } from './lib/server.mjs';

after(cleanupRealtime);

const MAX = 64 * 1024;
let server;
let bystanders;

before(async () => {
  server = await startServer({ bin: testServerBinaryPath(), logLevel: 'info',
    args: ['--max-payload', '64KiB'] });
  bystanders = await Promise.all([
    connectedClient(server, { transports: ['websocket'] }),
    connectedClient(server, { transports: ['polling'] }),
  ]);
});
after(async () => { await server?.stop(); });

/**
 * A polling GET; one still pending after 3 s (a live session) → {status: 'pending ...'}.
 * (Aborting it closes the session, so the callers stop polling after a pending one.)
 */
async function pollGetOrTimeout(sid) {
  try {
    return await pollGet(server, sid, { timeoutMs: 3000 });
  } catch (e) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { status: 'pending (the session is still alive)', text: '' };
    }
    throw e;
  }
}

/** Both bystanders still answer an acked echo, and their "echo" event arrives; /healthz 200. */
async function othersUnaffected(tag) {
  for (const b of bystanders) {
    assert.equal(b.connected, true, `bystander (${b.io.engine?.transport?.name}) disconnected`);
    const from = b.received.length;
    assert.deepEqual(await emitAck(b, 3000, 'echo', tag), [tag]);
    assert.deepEqual(splitOffset(await waitEvent(b, 'echo', { from })).args, [tag]);
  }
  assert.equal(await healthStatus(server), 200);
  assert.equal(server.proc.exitCode, null, 'the server exited');
}

describe('malformed input over a raw WebSocket closes that connection only', { timeout: 30000 },
  () => {
    const garbage = {
      'unknown Engine.IO packet type "9xyz"': '9xyz',
      'invalid Socket.IO JSON "42{bad"': '42{bad',
      'Socket.IO payload that is not an array "42{}"': '42{}',
      'EVENT for a namespace never connected "42/nope,[...]"': '42/nope,["echo","x"]',
      'unknown Socket.IO packet type "49[]"': '49[]',
      'attachment count without the attachments, then text': ['451-["echo",{"_placeholder":true,"num":0}]',
        '42["echo","not binary"]'],
      'placeholder index out of range': ['451-["echo",{"_placeholder":true,"num":5}]',
        Buffer.from([1])],
      'binary frame without a binary packet': Buffer.from([1, 2, 3]),
      'text frame with invalid UTF-8 (raw bytes)': { rawText: Buffer.from([0x34, 0x32, 0x5b, 0x22,
        0xff, 0xfe, 0xc3, 0x28, 0x22, 0x5d]) },
    };
    for (const [name, what] of Object.entries(garbage)) {
      test(name, async () => {
        const r = await rawSocketIo(server, { hello: true });
        const frames = Array.isArray(what) ? what : [what];
        for (const f of frames) {
          if (f && f.rawText) r.conn.sendRawText(f.rawText); else r.conn.send(f);
        }
        const closed = await r.conn.closesWithin(3000);
        assert.ok(closed, 'the server must close the connection');
        if (what && what.rawText) {
          // RFC 6455 §8.1: fail the connection; the close code, if any, is 1007.
          assert.ok([1007, 1006].includes(r.conn.closeInfo.code),
            `close code ${r.conn.closeInfo.code} (expected 1007, or no close frame)`);
        }
        await othersUnaffected(`after ${name}`);
      });
    }

    test('malformed polling POST "42{bad" → session closed; others unaffected', async () => {
      const { sid } = await pollingHandshake(server);
      assert.equal((await pollPost(server, sid, '40')).status, 200);
      const first = await pollGet(server, sid);
      assert.ok(splitPayload(first.text).some((p) => p.startsWith('40')), first.text);
      const bad = await pollPost(server, sid, '42{bad');
      assert.ok(bad.status === null || [200, 400].includes(bad.status), `POST → ${bad.status}`);
      // The session is gone (a close packet may be flushed to one last GET first).
      let status = null;
      for (let i = 0; i < 3 && (status === null || status === 200); i += 1) {
        const g = await pollGetOrTimeout(sid);
        status = g.status;
        if (g.status === 200) {
          for (const p of splitPayload(g.text)) {
            assert.ok(['1', '6', '2'].includes(p) || p.startsWith('42["hello"'),
              `unexpected packet after the bad POST: ${p}`);
          }
        }
      }
      assert.equal(status, 400, 'the session must be closed');
      await othersUnaffected('after bad polling POST');
    });
  });

describe('oversize messages (--max-payload 64KiB)', { timeout: 30000 }, () => {
  test('the open packet advertises maxPayload 65536', async () => {
    const r = await rawSocketIo(server);
    assert.equal(r.open.maxPayload, MAX);
    r.conn.close();
    const p = await pollingHandshake(server);
    assert.equal(p.open.maxPayload, MAX);
  });

  test('websocket: a message just under the limit is fine', async () => {
    const s = await connectedClient(server, { transports: ['websocket'] });
    const str = 'y'.repeat(60 * 1024);
    assert.deepEqual(await emitAck(s, 5000, 'echo', str), [str]);
  });

  test('raw websocket: a 100 KiB message closes the connection', async () => {
    const r = await rawSocketIo(server, { hello: true });
    r.conn.send(`42["echo","${'x'.repeat(100 * 1024)}"]`);
    assert.ok(await r.conn.closesWithin(3000), 'the server must close the connection');
    await othersUnaffected('after oversize websocket');
  });

  test('socket.io-client websocket: emitting 100 KiB → disconnected by the server', async () => {
    const s = await connectedClient(server, { transports: ['websocket'] });
    const disconnected = once(s, 'disconnect', 5000);
    s.emit('echo', 'x'.repeat(100 * 1024));
    const [reason] = await disconnected;
    assert.ok(['transport close', 'transport error'].includes(reason), `reason ${reason}`);
    await othersUnaffected('after oversize socket.io-client websocket');
  });

  async function pollingSession() {
    const { sid } = await pollingHandshake(server);
    assert.equal((await pollPost(server, sid, '40')).status, 200);
    // Drain the CONNECT answer and "hello".
    let seen = '';
    for (let i = 0; i < 3 && !seen.includes('hello'); i += 1) seen += (await pollGet(server, sid)).text;
    assert.ok(seen.includes('hello'), seen);
    return sid;
  }

  async function assertSessionGone(sid) {
    let status = null;
    for (let i = 0; i < 3 && (status === null || status === 200); i += 1) {
      const g = await pollGetOrTimeout(sid);
      status = g.status;
      if (g.status === 200) {
        for (const p of splitPayload(g.text)) {
          assert.ok(['1', '6'].includes(p), `unexpected packet after the 413: ${p}`);
        }
      }
    }
    assert.equal(status, 400, 'the session must be closed after the 413');
  }

  test('polling: a 100 KiB POST → 413 and the session ends', async () => {
    const sid = await pollingSession();
    const r = await pollPost(server, sid, `42["echo","${'x'.repeat(100 * 1024)}"]`);
    assert.equal(r.status, 413, `POST → ${r.status} ${r.error ?? r.text.slice(0, 100)}`);
    await assertSessionGone(sid);
    await othersUnaffected('after oversize polling');
  });

  test('polling: many small packets totalling 100 KiB in one POST → 413', async () => {
    const sid = await pollingSession();
    const body = Array.from({ length: 20 }, () => `42["echo","${'z'.repeat(5 * 1024)}"]`)
      .join('\x1e');
    const r = await pollPost(server, sid, body);
    assert.equal(r.status, 413, `POST → ${r.status}`);
    await assertSessionGone(sid);
  });

  test('socket.io-client polling: emitting 100 KiB → disconnected', async () => {
    const s = client(server, { transports: ['polling'] });
    await waitConnected(s);
    const disconnected = once(s, 'disconnect', 5000);
    s.emit('echo', 'x'.repeat(100 * 1024));
    const [reason] = await disconnected;
    assert.ok(['transport close', 'transport error'].includes(reason), `reason ${reason}`);
    await othersUnaffected('after oversize socket.io-client polling');
  });

  test('the unparsed ack of a packet after the limit never arrives (no partial processing)',
    async () => {
      const r = await rawSocketIo(server, { hello: true });
      r.conn.send(`4277["echo","${'x'.repeat(100 * 1024)}"]`);
      const seen = [];
      try {
        for (;;) seen.push(await r.conn.nextNonPing(3000));
      } catch { /* closed */ }
      assert.ok(r.conn.closed);
      assert.equal(seen.filter((d) => typeof d === 'string' && d.startsWith('43')
        && parseSioPacket(d.slice(1)).id === 77).length, 0, 'an oversize message was processed');
    });
});
