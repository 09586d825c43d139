// Matching (docs/protocol.md §3): user:match / user:matched (roomId, mode, partner, common
// interests, exactly one polite side), interest preference and the fallback after
// --match-fallback, language preference, modes, profile override by user:match, never pairing a
// guest with itself or a recent partner, user:match:cancel, already_in_chat, chat:leave and its
// aliases (chat:ended partner_left), user:next, invalid payloads and the match rate limit.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  arrivesWithin, assertAckError, assertAckOk, cleanupChat, closeAllGuests, emitAck, guest, pairUp,
  payloads, sendAndReceive, sleep, startChatServer, uniqueTag, uuid, waitFor, waitPayload,
} from './lib/chat.mjs';

after(cleanupChat);

const FALLBACK_MS = 1500;
// The ack of a search: fallbackInMs is the whole fallback, since the wait starts with the request.
const SEARCHING = { ok: true, state: 'searching', fallbackInMs: FALLBACK_MS };
let server;
before(async () => {
  server = await startChatServer({ flags: { 'match-fallback': `${FALLBACK_MS}ms` } });
});
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await server?.stop();
});

const sorted = (a) => [...a].sort();

function assertMatchedPair(ma, mb, a, b, { mode = 'text', common } = {}) {
  for (const m of [ma, mb]) {
    assert.deepEqual(Object.keys(m).sort(), ['commonInterests', 'mode', 'partner', 'polite', 'roomId'],
      JSON.stringify(m));
    assert.equal(typeof m.roomId, 'string');
    assert.ok(m.roomId.length > 0);
    assert.equal(m.mode, mode);
    assert.equal(typeof m.polite, 'boolean');
    assert.ok(Array.isArray(m.commonInterests));
  }
  assert.equal(ma.roomId, mb.roomId, 'both sides get the same roomId');
  assert.notEqual(ma.polite, mb.polite, 'exactly one side is polite');
  assert.deepEqual(ma.partner, { username: b.user.username, language: b.user.language ?? null });
  assert.deepEqual(mb.partner, { username: a.user.username, language: a.user.language ?? null });
  assert.deepEqual(sorted(ma.commonInterests), sorted(mb.commonInterests));
  if (common) assert.deepEqual(sorted(ma.commonInterests), sorted(common));
}

describe('user:match → user:matched', { timeout: 30000 }, () => {
  test('first guest searching, second (shared interest) matched at once; payloads agree', async () => {
    const tag = uniqueTag();
    const a = await guest(server, { language: 'en-us', interests: ['music', tag, 'chess'] });
    const b = await guest(server, { interests: ['chess', tag, 'art'] });
    assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text' }),
      SEARCHING);
    assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
      { ok: true, state: 'matched' });
    const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
      waitPayload(b.socket, 'user:matched')]);
    assertMatchedPair(ma, mb, a, b, { common: ['chess', tag] });
    assert.equal(ma.partner.language, null);
    assert.equal(mb.partner.language, 'en-US');
    // The room works: a message goes through.
    await sendAndReceive(a, b);
    assert.equal(payloads(a.socket, 'user:matched').length, 1);
  });

  test('interests preferred over FIFO order; without a shared interest only after the fallback',
    async () => {
      const [x, cTag, dTag] = [uniqueTag('x'), uniqueTag('c'), uniqueTag('d')];
      const c = await guest(server, { interests: [cTag] });
      const a = await guest(server, { interests: [x] });
      const b = await guest(server, { interests: [x] });
      const d = await guest(server, { interests: [dTag] });
      const t0 = Date.now();
      assert.deepEqual(await emitAck(c.socket, 'user:match', { mode: 'text' }),
        SEARCHING);
      assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text' }),
        SEARCHING, 'a shares nothing with c: it must wait');
      assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
        { ok: true, state: 'matched' }, 'b shares an interest with a: paired at once');
      const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
        waitPayload(b.socket, 'user:matched')]);
      assertMatchedPair(ma, mb, a, b, { common: [x] });
      assert.deepEqual(await emitAck(d.socket, 'user:match', { mode: 'text' }),
        SEARCHING, 'd shares nothing with c and neither waited the fallback');
      await sleep(Math.max(0, t0 + FALLBACK_MS - 500 - Date.now()));
      assert.deepEqual(payloads(c.socket, 'user:matched'), [], 'c paired before the fallback');
      const mc = await waitFor(c.socket, 'user:matched', { timeoutMs: FALLBACK_MS + 3000 });
      const md = await waitPayload(d.socket, 'user:matched');
      const waited = mc.at - t0;
      assert.ok(waited >= FALLBACK_MS - 150, `c matched after ${waited} ms (fallback ${FALLBACK_MS})`);
      assert.ok(waited <= FALLBACK_MS + 2500, `c matched only after ${waited} ms`);
      assertMatchedPair(mc.payload, md, c, d, { common: [] });
    });

  test('same primary language preferred among guests sharing an interest', async () => {
    const [x, y] = [uniqueTag('x'), uniqueTag('y')];
    const c = await guest(server, { interests: [y], language: 'de' });
    const a = await guest(server, { interests: [x], language: 'fr' });
    const b = await guest(server, { interests: [x, y], language: 'fr-CA' });
    assert.equal((await emitAck(c.socket, 'user:match', { mode: 'text' })).state, 'searching');
    assert.equal((await emitAck(a.socket, 'user:match', { mode: 'text' })).state, 'searching');
    assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
      { ok: true, state: 'matched' });
    const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
      waitPayload(b.socket, 'user:matched')]);
    assertMatchedPair(ma, mb, a, b, { common: [x] });
    assert.equal(mb.partner.language, 'fr');
    assert.equal(payloads(c.socket, 'user:matched').length, 0);
  });

  test('interests and language given in user:match replace the profile for matching', async () => {
    const tag = uniqueTag('q');
    const a = await guest(server, { interests: ['profile-only'], language: 'en' });
    const b = await guest(server, {});
    assert.deepEqual(await emitAck(a.socket, 'user:match',
      { mode: 'text', interests: [`  ${tag.toUpperCase()} `, 'Other'], language: 'pt-br' }),
    SEARCHING);
    assert.deepEqual(await emitAck(b.socket, 'user:match',
      { mode: 'text', interests: [tag], language: 'ES' }), { ok: true, state: 'matched' });
    const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
      waitPayload(b.socket, 'user:matched')]);
    assert.deepEqual(mb.partner, { username: a.user.username, language: 'pt-BR' });
    assert.deepEqual(ma.partner, { username: b.user.username, language: 'es' });
    assert.deepEqual(ma.commonInterests, [tag]);
    assert.deepEqual(mb.commonInterests, [tag]);
  });

  test('modes are separate queues; a video pair gets mode "video"', async () => {
    const tag = uniqueTag();
    const t = await guest(server, { interests: [tag] });
    const v1 = await guest(server, { interests: [tag] });
    const v2 = await guest(server, { interests: [tag] });
    assert.equal((await emitAck(t.socket, 'user:match', { mode: 'text' })).state, 'searching');
    assert.equal((await emitAck(v1.socket, 'user:match', { mode: 'video' })).state, 'searching');
    await sleep(300);
    assert.equal(payloads(t.socket, 'user:matched').length, 0, 'text and video must not pair');
    assert.deepEqual(await emitAck(v2.socket, 'user:match', { mode: 'video' }),
      { ok: true, state: 'matched' });
    const [m1, m2] = await Promise.all([waitPayload(v1.socket, 'user:matched'),
      waitPayload(v2.socket, 'user:matched')]);
    assertMatchedPair(m1, m2, v1, v2, { mode: 'video', common: [tag] });
    // Even after the fallback the text guest stays alone.
    assert.equal(await arrivesWithin(t.socket, 'user:matched', FALLBACK_MS + 500), false);
  });

  test('a guest is never paired with itself (user:match twice, nobody else)', async () => {
    const a = await guest(server, { interests: [uniqueTag()] });
    assertAckOk(await emitAck(a.socket, 'user:match', { mode: 'text' }));
    const again = await emitAck(a.socket, 'user:match', { mode: 'text' });
    assert.ok(again && typeof again.ok === 'boolean', JSON.stringify(again));
    if (again.ok) assert.equal(again.state, 'searching');
    assert.equal(await arrivesWithin(a.socket, 'user:matched', FALLBACK_MS + 700), false,
      'a guest was paired with itself');
  });

  test('never paired again with a recent partner, even sharing an interest after the fallback',
    async () => {
      const { a, b, tag } = await pairUp(server);
      assertAckOk(await emitAck(a.socket, 'chat:leave'));
      await waitPayload(b.socket, 'chat:ended');
      const from = { a: a.socket.received.length, b: b.socket.received.length };
      assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text' }),
        SEARCHING);
      assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
        SEARCHING, 'b was paired again with its last partner');
      await sleep(FALLBACK_MS + 500);
      assert.deepEqual(payloads(a.socket, 'user:matched', from.a), []);
      assert.deepEqual(payloads(b.socket, 'user:matched', from.b), []);
      // A newcomer sharing the interest takes the oldest waiting guest (FIFO): a.
      const c = await guest(server, { interests: [tag] });
      assert.deepEqual(await emitAck(c.socket, 'user:match', { mode: 'text' }),
        { ok: true, state: 'matched' });
      const mc = await waitPayload(c.socket, 'user:matched');
      assert.equal(mc.partner.username, a.user.username);
      await waitPayload(a.socket, 'user:matched', { from: from.a });
      assert.deepEqual(payloads(b.socket, 'user:matched', from.b), []);
    });
});

describe('user:match:cancel and already_in_chat', { timeout: 30000 }, () => {
  test('cancel → {ok, state:"idle"}; the guest left the queue', async () => {
    const tag = uniqueTag();
    const a = await guest(server, { interests: [tag] });
    const b = await guest(server, { interests: [tag] });
    assert.deepEqual(await emitAck(a.socket, 'user:match:cancel'), { ok: true, state: 'idle' },
      'cancel while idle');
    assert.equal((await emitAck(a.socket, 'user:match', { mode: 'text' })).state, 'searching');
    assert.deepEqual(await emitAck(a.socket, 'user:match:cancel'), { ok: true, state: 'idle' });
    assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
      SEARCHING, 'b was paired with a cancelled guest');
    assert.equal(await arrivesWithin(a.socket, 'user:matched', 300), false);
    assert.equal(await arrivesWithin(b.socket, 'user:matched', 10), false);
  });

  test('a searching guest that disconnects leaves the queue', async () => {
    const tag = uniqueTag();
    const a = await guest(server, { interests: [tag] });
    const b = await guest(server, { interests: [tag] });
    assert.equal((await emitAck(a.socket, 'user:match', { mode: 'text' })).state, 'searching');
    a.socket.disconnect();
    await sleep(300);
    assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }),
      SEARCHING, 'b was paired with a guest who is gone');
    assert.equal(await arrivesWithin(b.socket, 'user:matched', 300), false);
  });

  test('user:match while in a chat → already_in_chat; the chat goes on', async () => {
    const { a, b } = await pairUp(server);
    assertAckError(await emitAck(a.socket, 'user:match', { mode: 'text' }), 'already_in_chat');
    assertAckError(await emitAck(b.socket, 'user:match', { mode: 'video' }), 'already_in_chat');
    await sendAndReceive(a, b);
    await sendAndReceive(b, a);
    assert.equal(payloads(a.socket, 'chat:ended').length + payloads(b.socket, 'chat:ended').length, 0);
  });
});

describe('chat:leave and its aliases', { timeout: 30000 }, () => {
  for (const ev of ['chat:leave', 'chat:clear', 'leave-room', 'close-room']) {
    test(`${ev} → ack {ok:true}; partner gets chat:ended {reason:"partner_left"}; chat over`,
      async () => {
        const { a, b } = await pairUp(server);
        const ack = await emitAck(a.socket, ev);
        assertAckOk(ack, ev);
        assert.deepEqual(await waitPayload(b.socket, 'chat:ended'), { reason: 'partner_left' });
        const msg = { id: uuid(), type: 'text', text: 'anyone?' };
        assertAckError(await emitAck(a.socket, 'chat:message', msg), 'not_in_chat');
        assertAckError(await emitAck(b.socket, 'chat:message', { ...msg, id: uuid() }), 'not_in_chat');
        // Both can look for someone else.
        assertAckOk(await emitAck(b.socket, 'user:match', { mode: 'text' }));
        assertAckOk(await emitAck(a.socket, 'user:match', { mode: 'text' }));
        assert.equal(payloads(b.socket, 'chat:ended').length, 1);
      });
  }

  test('chat:leave while not in a chat is acked', async () => {
    const a = await guest(server);
    const ack = await emitAck(a.socket, 'chat:leave');
    assert.ok(ack && typeof ack.ok === 'boolean', JSON.stringify(ack));
    if (!ack.ok) assertAckError(ack, 'not_in_chat');
  });
});

describe('user:next', { timeout: 30000 }, () => {
  test('leaves (partner gets partner_left) and matches with a waiting guest in one round trip',
    async () => {
      const { a, b, roomId } = await pairUp(server);
      const tag2 = uniqueTag('n');
      const c = await guest(server, { interests: [tag2] });
      assert.equal((await emitAck(c.socket, 'user:match', { mode: 'text' })).state, 'searching');
      const mark = a.socket.received.length;
      assert.deepEqual(await emitAck(a.socket, 'user:next', { mode: 'text', interests: [tag2] }),
        { ok: true, state: 'matched' });
      assert.deepEqual(await waitPayload(b.socket, 'chat:ended'), { reason: 'partner_left' });
      const [ma, mc] = await Promise.all([
        waitPayload(a.socket, 'user:matched', { from: mark }),
        waitPayload(c.socket, 'user:matched')]);
      assert.equal(ma.roomId, mc.roomId);
      assert.notEqual(ma.roomId, roomId, 'a new room');
      assert.equal(ma.partner.username, c.user.username);
      assert.equal(mc.partner.username, a.user.username);
      assert.deepEqual(ma.commonInterests, [tag2]);
      assert.notEqual(ma.polite, mc.polite);
      // b is out of the chat and was not re-queued by a's next.
      assertAckError(await emitAck(b.socket, 'chat:message', { id: uuid(), type: 'text', text: 'hi' }),
        'not_in_chat');
      assert.equal(payloads(b.socket, 'user:matched').length, 1);
      await sendAndReceive(a, c);
      assert.equal(payloads(a.socket, 'chat:ended').length, 0, 'the guest who left gets no chat:ended');
    });

  test('user:next without a partner waiting → searching; the old partner is not re-matched',
    async () => {
      const { a, b } = await pairUp(server);
      assert.deepEqual(await emitAck(a.socket, 'user:next', { mode: 'text' }),
        SEARCHING);
      assert.deepEqual(await waitPayload(b.socket, 'chat:ended'), { reason: 'partner_left' });
      assert.deepEqual(await emitAck(b.socket, 'user:next', { mode: 'text' }),
        SEARCHING, 'user:next while idle is user:match');
      assert.equal(await arrivesWithin(a.socket, 'user:matched', FALLBACK_MS + 500,
        { from: a.socket.received.length }), false, 'a was re-paired with its last partner');
    });
});

describe('interestsOnly and fallbackInMs', { timeout: 30000 }, () => {
  const ONLY = { ok: true, state: 'searching', fallbackInMs: null };

  test('an interestsOnly guest is never paired without a shared interest, on either side\'s '
    + 'fallback, while a plain guest falls back', async () => {
    const [x, y, z] = [uniqueTag('x'), uniqueTag('y'), uniqueTag('z')];
    const a = await guest(server, { interests: [x] });
    const b = await guest(server, { interests: [y] });
    assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text', interestsOnly: true }),
      ONLY);
    assert.deepEqual(await emitAck(b.socket, 'user:match', { mode: 'text' }), SEARCHING);
    // Past both fallbacks: b would take anyone now (and a anyone, were it not interests only).
    assert.equal(await arrivesWithin(b.socket, 'user:matched', FALLBACK_MS + 700), false,
      'b (fallback expired) was paired with the interestsOnly guest');
    assert.deepEqual(payloads(a.socket, 'user:matched'), []);
    // A newcomer without a shared interest takes b, who waited, though a waited longer.
    const c = await guest(server, { interests: [z] });
    assert.deepEqual(await emitAck(c.socket, 'user:match', { mode: 'text' }),
      { ok: true, state: 'matched' });
    assert.equal((await waitPayload(c.socket, 'user:matched')).partner.username, b.user.username);
    assert.deepEqual(payloads(a.socket, 'user:matched'), []);
    // Someone sharing a's interest is paired with it at once.
    const d = await guest(server, { interests: ['other', x] });
    assert.deepEqual(await emitAck(d.socket, 'user:match', { mode: 'text' }),
      { ok: true, state: 'matched' });
    const [ma, md] = await Promise.all([waitPayload(a.socket, 'user:matched'),
      waitPayload(d.socket, 'user:matched')]);
    assertMatchedPair(ma, md, a, d, { common: [x] });
  });

  test('switching interestsOnly off brings fallbackInMs and the fallback back; user:next and '
    + 'profile interests take it too', async () => {
    const [x, y] = [uniqueTag('x'), uniqueTag('y')];
    const a = await guest(server, { interests: [x] });  // interests from the profile
    const b = await guest(server, { interests: [y] });
    assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text', interestsOnly: true }),
      ONLY);
    assert.deepEqual(await emitAck(a.socket, 'user:match', { mode: 'text', interestsOnly: false }),
      SEARCHING);
    const t0 = Date.now();
    assert.deepEqual(await emitAck(b.socket, 'user:next', { mode: 'text' }), SEARCHING);
    const ma = await waitFor(a.socket, 'user:matched', { timeoutMs: FALLBACK_MS + 3000 });
    assert.ok(ma.at - t0 >= FALLBACK_MS - 150, `paired after ${ma.at - t0} ms, before the fallback`);
    assert.equal(ma.payload.partner.username, b.user.username);
    // user:next takes interestsOnly (the request's interests here).
    const mark = a.socket.received.length;
    assert.deepEqual(await emitAck(a.socket, 'user:next',
      { mode: 'text', interests: [uniqueTag('n')], interestsOnly: true }), ONLY);
    await waitPayload(b.socket, 'chat:ended');
    assert.equal(await arrivesWithin(a.socket, 'user:matched', FALLBACK_MS + 500, { from: mark }),
      false);
  });
});

describe('invalid user:match / user:next payloads → invalid_payload with the field',
  { timeout: 30000 }, () => {
    const cases = [
      ['no mode', {}, 'mode'],
      ['mode "audio"', { mode: 'audio' }, 'mode'],
      ['mode "TEXT"', { mode: 'TEXT' }, 'mode'],
      ['mode not a string', { mode: 1 }, 'mode'],
      ['interests not an array', { mode: 'text', interests: 'music' }, 'interests'],
      ['11 interests', { mode: 'text', interests: Array.from({ length: 11 }, (_, i) => `i${i}`) },
        'interests'],
      ['an empty interest', { mode: 'text', interests: [''] }, 'interests'],
      ['a 31-char interest', { mode: 'text', interests: ['z'.repeat(31)] }, 'interests'],
      ['a non-string interest', { mode: 'text', interests: [7] }, 'interests'],
      ['language "english"', { mode: 'text', language: 'english' }, 'language'],
      ['language "en_US"', { mode: 'text', language: 'en_US' }, 'language'],
      ['language not a string', { mode: 'text', language: 5 }, 'language'],
      ['interestsOnly a string', { mode: 'text', interests: ['a'], interestsOnly: 'yes' },
        'interestsOnly'],
      ['interestsOnly a number', { mode: 'text', interests: ['a'], interestsOnly: 1 },
        'interestsOnly'],
      ['interestsOnly null', { mode: 'text', interests: ['a'], interestsOnly: null },
        'interestsOnly'],
      ['interestsOnly without interests (none in the profile either)',
        { mode: 'text', interestsOnly: true }, 'interestsOnly'],
      ['interestsOnly with an empty interest list', { mode: 'text', interests: [],
        interestsOnly: true }, 'interestsOnly'],
    ];
    test('user:match and user:next', async () => {
      const g = await guest(server);
      for (const ev of ['user:match', 'user:next']) {
        for (const [name, payload, field] of cases) {
          const ack = await emitAck(g.socket, ev, payload);
          assert.equal(ack?.error?.code, 'invalid_payload', `${ev} ${name}: ${JSON.stringify(ack)}`);
          assert.equal(ack.error.field, field, `${ev} ${name}: ${JSON.stringify(ack)}`);
          assert.equal(ack.ok, false);
        }
      }
      // Nothing was queued.
      assert.deepEqual(await emitAck(g.socket, 'user:match:cancel'), { ok: true, state: 'idle' });
    });
  });

describe('match rate limit (2/s, burst 5)', { timeout: 30000 }, () => {
  test('10 user:match at once → some rate_limited with retryAfterMs > 0', async () => {
    const g = await guest(server, { interests: [uniqueTag()] });
    const acks = await Promise.all(Array.from({ length: 10 },
      () => emitAck(g.socket, 'user:match', { mode: 'text' })));
    const limited = acks.filter((a) => a?.ok === false && a.error?.code === 'rate_limited');
    assert.ok(limited.length >= 3, `rate_limited acks: ${limited.length} (${JSON.stringify(acks)})`);
    for (const a of limited) {
      assert.ok(Number.isFinite(a.error.retryAfterMs) && a.error.retryAfterMs > 0, JSON.stringify(a));
      assert.ok(a.error.retryAfterMs <= 1000, `retryAfterMs ${a.error.retryAfterMs} at 2/s`);
    }
    assert.ok(acks.slice(0, 5).every((a) => a?.error?.code !== 'rate_limited'),
      `the burst of 5 must pass: ${JSON.stringify(acks)}`);
    assert.equal(g.socket.connected, true);
    await sleep(1100);
    assertAckOk(await emitAck(g.socket, 'user:match', { mode: 'text' }), 'after the refill');
  });
});
