// Chat traffic between two matched guests (docs/protocol.md §3): chat:message (ack = sent, relay
// to the partner, duplicate ids, every invalid text/id, not_in_chat), delivery and read receipts,
// typing indicators (relay and the server's own stop after 5 s), the per-guest rate limits
// (messages 5/s burst 10, typing 4/s burst 4) and the flood guard (> 30 refusals in 10 s →
// disconnected), and privacy (message text never in the logs).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  TEXT_MAX, assertAckError, assertAckOk, cleanupChat, closeAllGuests, emitAck, guest,
  pairUp, payloads, sendAndReceive, sleep, startChatServer, uniqueTag, uuid, waitFor, waitPayload,
} from './lib/chat.mjs';

after(cleanupChat);

let server;
before(async () => {
  // Debug logs: the privacy test checks that no message text reaches them.
  server = await startChatServer({ logLevel: 'debug' });
});
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await server?.stop();
});

/** Sends a barrier message a → b and waits for it: everything a sent before has arrived. */
async function barrier(from, to) {
  await sendAndReceive(from, to, `barrier ${uuid()}`);
}

describe('chat:message', { timeout: 30000 }, () => {
  test('ack {ok, id, timestamp} = sent; the partner gets {id, type, text, timestamp}', async () => {
    const { a, b } = await pairUp(server);
    const id = uuid();
    const before0 = Date.now();
    const ack = await emitAck(a.socket, 'chat:message', { id, type: 'text', text: 'Hello there!' });
    const after0 = Date.now();
    assert.deepEqual(Object.keys(ack).sort(), ['id', 'ok', 'timestamp'], JSON.stringify(ack));
    assert.equal(ack.ok, true);
    assert.equal(ack.id, id);
    assert.ok(Number.isInteger(ack.timestamp), 'timestamp is unix milliseconds');
    assert.ok(ack.timestamp >= before0 - 2000 && ack.timestamp <= after0 + 2000,
      `timestamp ${ack.timestamp} not within [${before0}, ${after0}]`);
    const msg = await waitPayload(b.socket, 'chat:message', { pred: (p) => p?.id === id });
    assert.deepEqual(msg, { id, type: 'text', text: 'Hello there!', timestamp: ack.timestamp });
    // And back.
    const r = await sendAndReceive(b, a, 'hi!');
    assert.deepEqual(r.msg, { id: r.id, type: 'text', text: 'hi!', timestamp: r.ack.timestamp });
    await sleep(100);
    assert.deepEqual(payloads(a.socket, 'chat:message').map((m) => m.id), [r.id],
      'a sender does not get its own message back');
  });

  test('newlines, tabs, emoji and exactly 1000 code points go through unchanged, in order',
    async () => {
      const { a, b } = await pairUp(server);
      const texts = ['line one\nline two\n\tindented', 'héllo wörld ✓ 日本語 😀👍🏽',
        'x'.repeat(TEXT_MAX), '😀'.repeat(TEXT_MAX), 'a', '1 < 2 && "quotes" \\ back'];
      const ids = [];
      for (const text of texts) {
        const id = uuid();
        ids.push(id);
        assertAckOk(await emitAck(a.socket, 'chat:message', { id, type: 'text', text }),
          `text of ${[...text].length} code points`);
      }
      await waitFor(b.socket, 'chat:message', { pred: (p) => p?.id === ids.at(-1) });
      const got = payloads(b.socket, 'chat:message');
      assert.deepEqual(got.map((m) => m.id), ids, 'in order, each once');
      assert.deepEqual(got.map((m) => m.text), texts);
    });

  test('a repeated id is acked again with the same timestamp and relayed only once', async () => {
    const { a, b } = await pairUp(server);
    const id = uuid();
    const msg = { id, type: 'text', text: 'only once please' };
    const ack1 = await emitAck(a.socket, 'chat:message', msg);
    assertAckOk(ack1);
    await sleep(20);
    const ack2 = await emitAck(a.socket, 'chat:message', msg);
    assert.deepEqual(ack2, ack1, 'the retry gets the same ack');
    const [ack3, ack4] = await Promise.all([emitAck(a.socket, 'chat:message', msg),
      emitAck(a.socket, 'chat:message', msg)]);
    assert.deepEqual(ack3, ack1);
    assert.deepEqual(ack4, ack1);
    await barrier(a, b);
    assert.equal(payloads(b.socket, 'chat:message').filter((m) => m.id === id).length, 1,
      'relayed more than once');
    // The same id from the other guest is its own message.
    const ackB = await emitAck(b.socket, 'chat:message', { id, type: 'text', text: 'mine' });
    assertAckOk(ackB);
    await waitFor(a.socket, 'chat:message', { pred: (p) => p?.id === id && p.text === 'mine' });
  });

  const INVALID = [
    ['missing id', { type: 'text', text: 'x' }, 'id'],
    ['id not a UUID', { id: 'not-a-uuid', type: 'text', text: 'x' }, 'id'],
    ['id a number', { id: 12345, type: 'text', text: 'x' }, 'id'],
    ['id UUID without dashes', { id: 'f47ac10b58cc4372a5670e02b2c3d479', type: 'text', text: 'x' }, 'id'],
    ['id UUID with braces', { id: '{f47ac10b-58cc-4372-a567-0e02b2c3d479}', type: 'text', text: 'x' },
      'id'],
    ['id UUID with a non-hex digit', { id: 'g47ac10b-58cc-4372-a567-0e02b2c3d479', type: 'text',
      text: 'x' }, 'id'],
    ['missing text', { type: 'text' }, 'text'],
    ['text a number', { type: 'text', text: 5 }, 'text'],
    ['empty text', { type: 'text', text: '' }, 'text'],
    ['whitespace-only text', { type: 'text', text: '   ' }, 'text'],
    ['newlines and tabs only', { type: 'text', text: ' \n\t\n ' }, 'text'],
    ['1001 chars', { type: 'text', text: 'y'.repeat(TEXT_MAX + 1) }, 'text'],
    ['1001 code points (emoji)', { type: 'text', text: '😀'.repeat(TEXT_MAX + 1) }, 'text'],
    ['a NUL', { type: 'text', text: 'a\u0000b' }, 'text'],
    ['a BEL control char', { type: 'text', text: 'a\u0007b' }, 'text'],
    ['a carriage return', { type: 'text', text: 'a\rb' }, 'text'],
    ['an escape (ANSI) sequence', { type: 'text', text: '\u001b[31mred' }, 'text'],
    ['a DEL', { type: 'text', text: 'a\u007fb' }, 'text'],
    ['a C1 control char', { type: 'text', text: 'a\u009bb' }, 'text'],
    ['type "image"', { type: 'image', text: 'x' }, 'type'],
  ];
  test('invalid messages → invalid_payload naming the field; nothing relayed', async () => {
    const { a, b } = await pairUp(server);
    for (const [name, payload, field] of INVALID) {
      const p = { ...payload };
      if (!('id' in p) && field !== 'id') p.id = uuid();
      const ack = await emitAck(a.socket, 'chat:message', p);
      assert.equal(ack?.ok, false, `${name}: ${JSON.stringify(ack)}`);
      assert.equal(ack.error?.code, 'invalid_payload', `${name}: ${JSON.stringify(ack)}`);
      assert.equal(ack.error.field, field, `${name}: ${JSON.stringify(ack)}`);
    }
    await barrier(a, b);
    assert.equal(payloads(b.socket, 'chat:message').length, 1, 'only the barrier arrives');
    assert.equal(a.socket.connected, true);
  });

  test('not_in_chat: idle, searching, and after the partner left', async () => {
    const idle = await guest(server);
    const msg = () => ({ id: uuid(), type: 'text', text: 'hello?' });
    assertAckError(await emitAck(idle.socket, 'chat:message', msg()), 'not_in_chat');
    assert.equal((await emitAck(idle.socket, 'user:match',
      { mode: 'text', interests: [uniqueTag()] })).state, 'searching');
    assertAckError(await emitAck(idle.socket, 'chat:message', msg()), 'not_in_chat');
    const { a, b } = await pairUp(server);
    assertAckOk(await emitAck(b.socket, 'chat:leave'));
    await waitPayload(a.socket, 'chat:ended');
    assertAckError(await emitAck(a.socket, 'chat:message', msg()), 'not_in_chat');
  });
});

describe('receipts: chat:delivered and chat:read', { timeout: 30000 }, () => {
  test('the sender gets chat:message:delivered {ids} and chat:message:read {upTo}', async () => {
    const { a, b } = await pairUp(server);
    const m1 = await sendAndReceive(a, b, 'one');
    const m2 = await sendAndReceive(a, b, 'two');
    assert.deepEqual(await emitAck(b.socket, 'chat:delivered', { ids: [m1.id, m2.id] }), { ok: true });
    assert.deepEqual(await waitPayload(a.socket, 'chat:message:delivered'), { ids: [m1.id, m2.id] });
    assert.deepEqual(await emitAck(b.socket, 'chat:read', { upTo: m2.id }), { ok: true });
    assert.deepEqual(await waitPayload(a.socket, 'chat:message:read'), { upTo: m2.id });
    // Receipts go to the sender only.
    await sleep(100);
    assert.equal(payloads(b.socket, 'chat:message:delivered').length, 0);
    assert.equal(payloads(b.socket, 'chat:message:read').length, 0);
    // 100 ids is the limit.
    const hundred = Array.from({ length: 100 }, () => uuid());
    assert.deepEqual(await emitAck(b.socket, 'chat:delivered', { ids: hundred }), { ok: true });
    assert.deepEqual(await waitPayload(a.socket, 'chat:message:delivered',
      { pred: (p) => p?.ids?.length === 100 }), { ids: hundred });
  });

  test('invalid receipts → invalid_payload with the field; not_in_chat when not paired', async () => {
    const { a, b } = await pairUp(server);
    const cases = [
      ['chat:delivered', {}, 'ids'],
      ['chat:delivered', { ids: uuid() }, 'ids'],
      ['chat:delivered', { ids: [] }, 'ids'],
      ['chat:delivered', { ids: Array.from({ length: 101 }, () => uuid()) }, 'ids'],
      ['chat:delivered', { ids: ['not-a-uuid'] }, 'ids'],
      ['chat:delivered', { ids: [uuid(), 7] }, 'ids'],
      ['chat:read', {}, 'upTo'],
      ['chat:read', { upTo: 'not-a-uuid' }, 'upTo'],
      ['chat:read', { upTo: 5 }, 'upTo'],
      ['chat:read', { upTo: [uuid()] }, 'upTo'],
    ];
    for (const [ev, payload, field] of cases) {
      const ack = await emitAck(b.socket, ev, payload);
      assert.equal(ack?.ok, false, `${ev} ${JSON.stringify(payload).slice(0, 80)}: ${JSON.stringify(ack)}`);
      assert.equal(ack.error?.code, 'invalid_payload', `${ev}: ${JSON.stringify(ack)}`);
      assert.equal(ack.error.field, field, `${ev}: ${JSON.stringify(ack)}`);
    }
    await sleep(100);
    assert.equal(payloads(a.socket, 'chat:message:delivered').length, 0);
    assert.equal(payloads(a.socket, 'chat:message:read').length, 0);
    const idle = await guest(server);
    assertAckError(await emitAck(idle.socket, 'chat:delivered', { ids: [uuid()] }), 'not_in_chat');
    assertAckError(await emitAck(idle.socket, 'chat:read', { upTo: uuid() }), 'not_in_chat');
  });
});

describe('typing indicators', { timeout: 30000 }, () => {
  test('chat:typing:start / stop → ack {ok}; the partner gets the same event with {}', async () => {
    const { a, b } = await pairUp(server);
    assert.deepEqual(await emitAck(a.socket, 'chat:typing:start'), { ok: true });
    assert.deepEqual(await waitPayload(b.socket, 'chat:typing:start'), {});
    assert.deepEqual(await emitAck(a.socket, 'chat:typing:stop'), { ok: true });
    assert.deepEqual(await waitPayload(b.socket, 'chat:typing:stop'), {});
    await sleep(100);
    assert.equal(payloads(a.socket, 'chat:typing:start').length, 0, 'not echoed to the typist');
    assert.equal(payloads(b.socket, 'chat:typing:start').length, 1);
    assert.equal(payloads(b.socket, 'chat:typing:stop').length, 1);
  });

  test('the server sends chat:typing:stop itself ~5 s after the last start', async () => {
    const { a, b } = await pairUp(server);
    assertAckOk(await emitAck(a.socket, 'chat:typing:start'));
    const start = await waitFor(b.socket, 'chat:typing:start');
    const stop = await waitFor(b.socket, 'chat:typing:stop', { timeoutMs: 9000 });
    const gap = stop.at - start.at;
    assert.ok(gap >= 4500 && gap <= 7000, `automatic stop after ${gap} ms (expected ~5000)`);
    assert.deepEqual(stop.payload, {});
    assert.equal(payloads(a.socket, 'chat:typing:stop').length, 0);
  });

  test('typing while not in a chat → not_in_chat', async () => {
    const idle = await guest(server);
    assertAckError(await emitAck(idle.socket, 'chat:typing:start'), 'not_in_chat');
    assertAckError(await emitAck(idle.socket, 'chat:typing:stop'), 'not_in_chat');
  });
});

describe('rate limits and the flood guard', { timeout: 30000 }, () => {
  test('30 chat:message at once → the burst passes, the rest rate_limited with retryAfterMs',
    async () => {
      const { a, b } = await pairUp(server);
      const sent = Array.from({ length: 30 }, (_, i) => ({ id: uuid(), type: 'text', text: `m${i}` }));
      const acks = await Promise.all(sent.map((m) => emitAck(a.socket, 'chat:message', m)));
      const ok = acks.filter((x) => x?.ok === true);
      const limited = acks.filter((x) => x?.ok === false && x.error?.code === 'rate_limited');
      assert.equal(ok.length + limited.length, 30, JSON.stringify(acks));
      assert.ok(ok.length >= 10 && ok.length <= 14, `${ok.length} messages passed (burst 10, 5/s)`);
      assert.ok(limited.length >= 16, `${limited.length} rate_limited`);
      for (const x of limited) {
        assert.ok(Number.isFinite(x.error.retryAfterMs) && x.error.retryAfterMs > 0, JSON.stringify(x));
        assert.ok(x.error.retryAfterMs <= 1000, `retryAfterMs ${x.error.retryAfterMs} at 5/s`);
      }
      // The partner got exactly the accepted ones, in order.
      const okIds = sent.filter((m, i) => acks[i]?.ok === true).map((m) => m.id);
      await waitFor(b.socket, 'chat:message', { pred: (p) => p?.id === okIds.at(-1) });
      await sleep(200);
      assert.deepEqual(payloads(b.socket, 'chat:message').map((m) => m.id), okIds);
      // Not a flood: still connected, and messages pass again after a pause.
      assert.equal(a.socket.connected, true);
      await sleep(400);
      await sendAndReceive(a, b, 'after the pause');
    });

  test('typing 10 times at once → some rate_limited with retryAfterMs (burst 4)', async () => {
    const { a } = await pairUp(server);
    const acks = await Promise.all(Array.from({ length: 10 },
      () => emitAck(a.socket, 'chat:typing:start')));
    const limited = acks.filter((x) => x?.ok === false && x.error?.code === 'rate_limited');
    assert.ok(limited.length >= 4, `${limited.length} rate_limited of 10 (burst 4): ${JSON.stringify(acks)}`);
    for (const x of limited) assert.ok(x.error.retryAfterMs > 0, JSON.stringify(x));
    assert.ok(acks.slice(0, 4).every((x) => x?.ok === true), JSON.stringify(acks));
    assert.equal(a.socket.connected, true);
  });

  test('a guest that keeps flooding (> 30 refusals within 10 s) is disconnected', async () => {
    const { a, b } = await pairUp(server);
    const acks = [];
    for (let i = 0; i < 80; i += 1) {
      a.socket.emit('chat:message', { id: uuid(), type: 'text', text: `flood ${i}` },
        (ack) => acks.push(ack));
    }
    const d = await waitFor(a.socket, '$disconnect', { timeoutMs: 5000 });
    assert.equal(d.args[0], 'io server disconnect', `disconnect reason ${d.args[0]}`);
    const limited = acks.filter((x) => x?.error?.code === 'rate_limited').length;
    // 30 refusals are tolerated, the 31st disconnects (its ack may or may not get out first).
    assert.ok(limited >= 28 && limited <= 31, `disconnected after ${limited} acked refusals`);
    // The server and the partner are fine.
    assertAckOk(await emitAck(b.socket, 'stats:get'));
  });
});

describe('privacy', { timeout: 30000 }, () => {
  test('message text is relayed but never logged (debug level)', async () => {
    const { a, b } = await pairUp(server);
    const secret = `secret-${uuid()}`;
    await sendAndReceive(a, b, `my ${secret} text`);
    await sendAndReceive(b, a, `reply ${secret}`);
    await sleep(300);
    const out = server.stdoutLines.join('\n') + server.stderr();
    assert.equal(out.includes(secret), false, 'message text appears in the server output');
    assert.ok(server.logs.length > 0, 'the server logged nothing at all (is debug on?)');
  });
});

