// Realtime connection (docs/protocol.md §3): CONNECT refusals for every kind of bad token
// (CONNECT_ERROR {message, data:{code, message}}), connection:established, one live connection
// per guest (a newer one replaces the older), acks for unknown events and for every documented
// event whatever its payload, presence statistics (realtime:stats pushes, throttled to one per
// second; stats:get; GET /api/stats).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  assertAckError, assertAckOk, cleanupChat, closeAllGuests, connectGuest, createGuest, emitAck,
  forgeToken, guest, pairUp, payloads, refusedConnect, restStats, sendAndReceive, sleep,
  startChatServer, tamperPayload, tamperSignature, uniqueTag, unsignedToken, waitFor, waitPayload,
} from './lib/chat.mjs';

after(cleanupChat);

let server;
let statsServer; // only the stats test connects here, so the counts are exact
before(async () => {
  [server, statsServer] = await Promise.all([startChatServer(), startChatServer()]);
});
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await Promise.all([server?.stop(), statsServer?.stop()]);
});

describe('CONNECT refusals → CONNECT_ERROR {message, data:{code, message}}', { timeout: 30000 },
  () => {
    let g;
    before(async () => { g = await createGuest(server, { username: 'Refused_Guest' }); });

    // name → [expected code, () => openGuest options]
    const cases = {
      'no auth payload at all': ['token_invalid', () => ({ auth: null })],
      'auth {} (no token)': ['token_invalid', () => ({ auth: {} })],
      'token not a string': ['token_invalid', () => ({ auth: { token: 12345 } })],
      'empty token': ['token_invalid', () => ({ auth: { token: '' } })],
      'garbage token': ['token_invalid', () => ({ auth: { token: 'garbage' } })],
      'tampered signature': ['token_invalid', () => ({ auth: { token: tamperSignature(g.token) } })],
      'tampered payload': ['token_invalid',
        () => ({ auth: { token: tamperPayload(g.token, { sub: 'g_other' }) } })],
      'foreign issuer': ['token_invalid',
        () => ({ auth: { token: forgeToken(g.user.id, { iss: 'evil' }) } })],
      'foreign audience': ['token_invalid',
        () => ({ auth: { token: forgeToken(g.user.id, { aud: 'evil' }) } })],
      'another secret': ['token_invalid', () => ({ auth: { token: forgeToken(g.user.id, {},
        { secret: 'some-other-secret-of-sufficient-length-42' }) } })],
      'alg none': ['token_invalid', () => ({ auth: { token: unsignedToken(g.user.id) } })],
      'expired token': ['token_expired', () => {
        const now = Math.floor(Date.now() / 1000);
        return { auth: { token: forgeToken(g.user.id, { iat: now - 7300, exp: now - 100 }) } };
      }],
      'valid token of a guest that does not exist': ['session_not_found',
        () => ({ auth: { token: forgeToken('g_BBBBBBBBBBBBBBBBBBBBBB') } })],
    };
    for (const [name, [code, makeOpts]] of Object.entries(cases)) {
      test(`${name} → refused with data.code "${code}"`, async () => {
        const { err, socket } = await refusedConnect(server, undefined, makeOpts());
        assert.equal(typeof err.message, 'string');
        assert.ok(err.message.length > 0, 'err.message is empty');
        assert.ok(err.data && typeof err.data === 'object', `err.data: ${JSON.stringify(err.data)}`);
        assert.equal(err.data.code, code, `err.data: ${JSON.stringify(err.data)}`);
        assert.equal(typeof err.data.message, 'string', `err.data: ${JSON.stringify(err.data)}`);
        await sleep(100);
        assert.equal(socket.connected, false);
        assert.deepEqual(socket.received.filter((e) => !e.event.startsWith('$')), [],
          'a refused socket must receive no event');
      });
    }

    test('a forged token with the server secret is accepted (forging sanity check)', async () => {
      const s = await connectGuest(server, forgeToken(g.user.id));
      assert.equal((await waitPayload(s, 'connection:established')).userId, g.user.id);
    });

    test('polling transport: refused the same way', async () => {
      const { err } = await refusedConnect(server, tamperSignature(g.token),
        { transports: ['polling'] });
      assert.equal(err.data?.code, 'token_invalid', JSON.stringify(err.data));
    });
  });

describe('connection:established and one live connection per guest', { timeout: 30000 }, () => {
  for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
    test(`${transports.join('→')}: connection:established {userId, username}`, async () => {
      const g = await createGuest(server, { username: `Est_${transports.length}${transports[0][0]}` });
      const s = await connectGuest(server, g.token, { transports });
      const e = await waitFor(s, 'connection:established');
      assert.deepEqual(e.payload, { userId: g.user.id, username: g.user.username });
      assert.equal(payloads(s, 'connection:established').length, 1);
      assertAckOk(await emitAck(s, 'stats:get'));
    });
  }

  test('a second connection with the same token replaces the first, which is disconnected',
    async () => {
      const g = await createGuest(server, {});
      const s1 = await connectGuest(server, g.token);
      await waitPayload(s1, 'connection:established');
      const s2 = await connectGuest(server, g.token);
      assert.deepEqual(await waitPayload(s2, 'connection:established'),
        { userId: g.user.id, username: g.user.username });
      const d = await waitFor(s1, '$disconnect', { timeoutMs: 3000 });
      assert.equal(d.args[0], 'io server disconnect', `s1 disconnect reason: ${d.args[0]}`);
      assert.equal(s2.connected, true);
      assertAckOk(await emitAck(s2, 'stats:get'));
      await sleep(200);
      assert.equal(s2.connected, true, 'the newer connection must stay connected');
    });

  test('a paired guest reconnecting on a second socket keeps its chat; the old one is dropped',
    async () => {
      const { a, b } = await pairUp(server);
      const a2 = { ...a, socket: await connectGuest(server, a.token) };
      await waitFor(a.socket, '$disconnect', { timeoutMs: 3000 });
      await waitPayload(a2.socket, 'connection:established');
      // Messages flow both ways on the new connection; the partner's chat did not end.
      await sendAndReceive(b, a2);
      await sendAndReceive(a2, b);
      await sleep(200);
      assert.deepEqual(payloads(b.socket, 'chat:ended'), [], 'the partner must not see the chat end');
    });
});

describe('acks: never silence', { timeout: 30000 }, () => {
  test('unknown event with an ack → {ok:false, error:{code:"unknown_event"}}', async () => {
    const g = await guest(server);
    for (const ev of ['no:such:event', 'user:matched', 'chat:ended', 'realtime:stats', 'x']) {
      assertAckError(await emitAck(g.socket, ev, { a: 1 }), 'unknown_event');
    }
    assertAckError(await emitAck(g.socket, 'no:such:event'), 'unknown_event');
  });

  test('unknown event without an ack: ignored, the connection stays up', async () => {
    const g = await guest(server);
    g.socket.emit('no:such:event', { a: 1 });
    g.socket.emit('another-unknown');
    await sleep(200);
    assert.equal(g.socket.connected, true);
    assertAckOk(await emitAck(g.socket, 'stats:get'));
  });

  const EVENTS = ['user:match', 'user:match:cancel', 'user:next', 'chat:message', 'chat:delivered',
    'chat:read', 'chat:typing:start', 'chat:typing:stop', 'chat:leave', 'chat:clear',
    'leave-room', 'close-room', 'stats:get'];
  const WEIRD = [undefined, 'text', 42, null, true, [], ['text'], { unexpected: { deep: [1] } }];
  test('every documented event is acked {ok:boolean, ...} whatever the payload', async () => {
    const g = await guest(server);
    for (const ev of EVENTS) {
      for (const p of WEIRD) {
        const ack = await emitAck(g.socket, ev, p);
        assert.ok(ack && typeof ack === 'object' && typeof ack.ok === 'boolean',
          `${ev} ${JSON.stringify(p)} → ${JSON.stringify(ack)}`);
        if (!ack.ok) {
          assert.ok(typeof ack.error?.code === 'string' && typeof ack.error?.message === 'string',
            `${ev} ${JSON.stringify(p)} → ${JSON.stringify(ack)}`);
        }
      }
    }
    assert.equal(g.socket.connected, true);
  });

  test('payloads that are not the documented shape → invalid_payload naming a field', async () => {
    const g = await guest(server);
    const cases = [
      ['user:match', 'text'],
      ['user:match', 42],
      ['user:match', undefined],
      ['user:next', 'text'],
      ['chat:message', 'hello'],
      ['chat:message', undefined],
      ['chat:delivered', 'x'],
      ['chat:read', 'x'],
    ];
    for (const [ev, p] of cases) {
      const ack = await emitAck(g.socket, ev, p);
      assertAckError(ack, 'invalid_payload');
      assert.ok(typeof ack.error.field === 'string' && ack.error.field.length > 0,
        `${ev} ${JSON.stringify(p)}: invalid_payload must name a field: ${JSON.stringify(ack)}`);
    }
  });
});

describe('presence statistics', { timeout: 30000 }, () => {
  test('realtime:stats pushed to everyone with the right numbers; stats:get and GET /api/stats agree',
    async () => {
      const url = statsServer;
      const observer = await guest(url);
      const ack0 = await emitAck(observer.socket, 'stats:get');
      assert.deepEqual(ack0, { ok: true, online: 1, searching: 0, chatting: 0 });
      assert.deepEqual(await restStats(url), { online: 1, searching: 0, chatting: 0 });

      const waiting = await guest(url, { interests: [uniqueTag()] });
      assert.deepEqual(await emitAck(waiting.socket, 'user:match', { mode: 'text' }),
        { ok: true, state: 'searching', fallbackInMs: 5000 });
      const { a, b } = await pairUp(url);
      const expected = { online: 4, searching: 1, chatting: 2 };
      // The last push (≤ 1 s after the last change) carries the final numbers.
      const deadline = Date.now() + 3000;
      for (;;) {
        const last = payloads(observer.socket, 'realtime:stats').at(-1);
        if (last && JSON.stringify(last) === JSON.stringify(expected)) break;
        if (Date.now() > deadline) {
          assert.deepEqual(last, expected, 'the last realtime:stats push');
        }
        await sleep(100);
      }
      assert.deepEqual(await emitAck(observer.socket, 'stats:get'), { ok: true, ...expected });
      assert.deepEqual(await restStats(url), expected);
      // Pushed to everyone: searching and chatting guests too.
      for (const s of [waiting.socket, a.socket, b.socket]) {
        await waitFor(s, 'realtime:stats', { timeoutMs: 3000,
          pred: (p) => JSON.stringify(p) === JSON.stringify(expected) });
      }
      for (const p of payloads(observer.socket, 'realtime:stats')) {
        assert.deepEqual(Object.keys(p).sort(), ['chatting', 'online', 'searching']);
      }

      // Cancelling and leaving update them.
      assert.deepEqual(await emitAck(waiting.socket, 'user:match:cancel'), { ok: true, state: 'idle' });
      assertAckOk(await emitAck(a.socket, 'chat:leave'));
      const after1 = { online: 4, searching: 0, chatting: 0 };
      await waitFor(observer.socket, 'realtime:stats', { timeoutMs: 3000,
        pred: (p) => JSON.stringify(p) === JSON.stringify(after1) });
      assert.deepEqual(await restStats(url), after1);
    });

  test('realtime:stats: at most one push per second under constant change', async () => {
    const url = statsServer;
    const observer = await guest(url);
    const mark = observer.socket.received.length;
    const t0 = Date.now();
    // ~3.2 s of changes: a guest connects or disconnects every ~100 ms.
    const extra = [];
    const tokens = await Promise.all(Array.from({ length: 16 }, () => createGuest(url, {})));
    for (const t of tokens) {
      extra.push(await connectGuest(url, t.token));
      await sleep(100);
      if (extra.length % 2 === 0) extra.shift().disconnect();
      await sleep(100);
    }
    const elapsed = Date.now() - t0;
    await sleep(1300);
    const pushes = observer.socket.received.slice(mark).filter((e) => e.event === 'realtime:stats');
    assert.ok(pushes.length >= 2, `only ${pushes.length} realtime:stats in ${elapsed} ms of changes`);
    for (let i = 1; i < pushes.length; i += 1) {
      const gap = pushes[i].at - pushes[i - 1].at;
      assert.ok(gap >= 850, `two realtime:stats pushes ${gap} ms apart (at most one per second)`);
    }
    assert.ok(pushes.length <= Math.ceil((elapsed + 1300) / 1000) + 1,
      `${pushes.length} pushes in ${elapsed + 1300} ms`);
    // The final push matches the final state.
    const s = await restStats(url);
    assert.deepEqual(pushes.at(-1).args[0], s);
    // No change, no push.
    const quiet = observer.socket.received.length;
    await sleep(1500);
    assert.deepEqual(payloads(observer.socket, 'realtime:stats', quiet), [],
      'realtime:stats pushed without any change');
  });
});

