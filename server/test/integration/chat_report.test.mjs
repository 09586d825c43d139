// user:report (docs/protocol.md §3): reporting the current partner ends the chat for both (the
// partner is only told partner_left), the two are never paired again (both directions, even as
// the only two searching, once their recent-partner memory no longer keeps them apart), the last
// partner may be reported within --report-window after the chat ended, reasons and notes are
// validated, hallway_reports_total{reason} counts a repeated report once, and a report storm is
// rate-limited with the control events and ends in a flood disconnect.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  arrivesWithin, assertAckError, assertAckOk, cleanupChat, closeAllGuests, emitAck, guest, pairUp,
  payloads, sendAndReceive, sleep, startChatServer, uniqueTag, uuid, waitFor, waitPayload,
} from './lib/chat.mjs';
import { findSamples, parsePrometheusText } from './lib/prometheus.mjs';
import { healthStatus } from './lib/realtime.mjs';
import { getMetrics } from './lib/server.mjs';

after(cleanupChat);

const FALLBACK_MS = 1000;
const REPORT_WINDOW_MS = 1500;
const REASONS = ['spam', 'harassment', 'sexual', 'underage', 'violence', 'other'];
let server;
before(async () => {
  server = await startChatServer({ flags: { 'match-fallback': `${FALLBACK_MS}ms`,
    'report-window': `${REPORT_WINDOW_MS}ms` } });
});
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await server?.stop();
});

/** hallway_reports_total by reason: {spam: n, ...}; every reason must be exported. */
async function reportTotals(srv = server) {
  const r = await getMetrics(srv);
  assert.equal(r.status, 200);
  const parsed = parsePrometheusText(r.text);
  const fam = parsed.families.get('hallway_reports_total');
  assert.equal(fam?.type, 'counter', 'hallway_reports_total is a counter');
  return Object.fromEntries(REASONS.map((reason) => {
    const s = findSamples(parsed, 'hallway_reports_total', { reason });
    assert.equal(s.length, 1, `hallway_reports_total{reason="${reason}"} in /metrics`);
    return [reason, s[0].value];
  }));
}

/** x and y chat once (a fresh shared tag given in user:match), then x leaves. */
async function chatOnce(x, y) {
  const tag = uniqueTag('c');
  const [fx, fy] = [x.socket.received.length, y.socket.received.length];
  assert.equal((await emitAck(x.socket, 'user:match', { mode: 'text', interests: [tag] })).state,
    'searching');
  assert.equal((await emitAck(y.socket, 'user:match', { mode: 'text', interests: [tag] })).state,
    'matched');
  const [mx, my] = await Promise.all([waitPayload(x.socket, 'user:matched', { from: fx }),
    waitPayload(y.socket, 'user:matched', { from: fy })]);
  assert.equal(mx.roomId, my.roomId);
  assertAckOk(await emitAck(x.socket, 'chat:leave'));
  await waitPayload(y.socket, 'chat:ended', { from: fy });
}

/**
 * Both search with one fresh shared interest, `first` then `second`: resolves the second's ack
 * state and whether either got user:matched within the fallback and a margin.
 */
async function searchTogether(first, second) {
  const tag = uniqueTag('again');
  const marks = [first.socket.received.length, second.socket.received.length];
  const a1 = await emitAck(first.socket, 'user:match', { mode: 'text', interests: [tag] });
  const a2 = await emitAck(second.socket, 'user:match', { mode: 'text', interests: [tag] });
  assertAckOk(a1);
  assertAckOk(a2);
  const paired = await arrivesWithin(first.socket, 'user:matched', FALLBACK_MS + 700,
    { from: marks[0] });
  return { state: a2.state, paired, marks };
}

describe('user:report in a chat', { timeout: 30000 }, () => {
  test('ack {ok:true}; the chat ends for both; the partner gets chat:ended partner_left and '
    + 'nothing that says it was reported', async () => {
    const { a, b } = await pairUp(server);
    const fromB = b.socket.received.length;
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'harassment',
      note: 'rude words' }), { ok: true });
    assert.deepEqual(await waitPayload(b.socket, 'chat:ended', { from: fromB }),
      { reason: 'partner_left' });
    // Nothing else reached b (no event or payload naming a report).
    const seen = b.socket.received.slice(fromB);
    assert.deepEqual(seen.map((e) => e.event), ['chat:ended']);
    assert.ok(!JSON.stringify(seen.map((e) => e.args)).includes('report'));
    // The reporter is idle: no chat:ended for it, no chat, free to search again.
    assert.deepEqual(payloads(a.socket, 'chat:ended'), []);
    assertAckError(await emitAck(a.socket, 'chat:message', { id: uuid(), text: 'hi' }),
      'not_in_chat');
    assertAckError(await emitAck(b.socket, 'chat:message', { id: uuid(), text: 'hi' }),
      'not_in_chat');
    assertAckOk(await emitAck(a.socket, 'user:match', { mode: 'text', interests: [uniqueTag()] }));
    assertAckOk(await emitAck(a.socket, 'user:match:cancel'));
  });

  test('reported guests are never paired again, either direction, even as the only two '
    + 'searching, once three other chats pushed them out of their recent partners', async () => {
    const [a, b, e, f] = await Promise.all([guest(server), guest(server), guest(server),
      guest(server)]);
    await chatOnce(a, b);
    await chatOnce(e, f);
    assertAckOk(await emitAck(a.socket, 'user:report', { reason: 'spam' }));
    // Three other partners each: recent-partner memory (3) alone no longer keeps them apart.
    for (const x of [a, b, e, f]) {
      for (let i = 0; i < 3; i += 1) await chatOnce(x, await guest(server));
    }
    // The control: e and f (no report) pair again at once.
    const control = await searchTogether(e, f);
    assert.equal(control.state, 'matched', 'e and f should pair again (control)');
    assertAckOk(await emitAck(e.socket, 'chat:leave'));
    // a and b: refused in both orders, past the fallback too.
    for (const [first, second] of [[a, b], [b, a]]) {
      const r = await searchTogether(first, second);
      assert.equal(r.state, 'searching', 'the reported pair was matched again');
      assert.equal(r.paired, false, 'the reported pair was matched after the fallback');
      assert.deepEqual(payloads(second.socket, 'user:matched', r.marks[1]), []);
      assertAckOk(await emitAck(first.socket, 'user:match:cancel'));
      assertAckOk(await emitAck(second.socket, 'user:match:cancel'));
    }
  });
});

describe('user:report after the chat ended', { timeout: 30000 }, () => {
  test('within --report-window the last partner is reported (either side); after it, and '
    + 'without any chat, not_in_chat', async () => {
    const { a, b } = await pairUp(server);
    assertAckOk(await emitAck(b.socket, 'chat:leave'));
    await waitPayload(a.socket, 'chat:ended');
    const before = await reportTotals();
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'underage' }), { ok: true });
    assert.deepEqual(await emitAck(b.socket, 'user:report', { reason: 'sexual' }), { ok: true },
      'the one who left may report too');
    const afterReports = await reportTotals();
    assert.equal(afterReports.underage, before.underage + 1);
    assert.equal(afterReports.sexual, before.sexual + 1);

    const { a: c, b: d } = await pairUp(server);
    assertAckOk(await emitAck(d.socket, 'chat:leave'));
    await waitPayload(c.socket, 'chat:ended');
    await sleep(REPORT_WINDOW_MS + 300);  // the window is the behaviour under test
    assertAckError(await emitAck(c.socket, 'user:report', { reason: 'spam' }), 'not_in_chat');
    const lonely = await guest(server);
    assertAckError(await emitAck(lonely.socket, 'user:report', { reason: 'spam' }), 'not_in_chat');
    assert.deepEqual(await reportTotals(), afterReports, 'a refused report was counted');
  });
});

describe('user:report payloads', { timeout: 30000 }, () => {
  test('a bad reason or note → invalid_payload with the field; the chat goes on', async () => {
    const { a, b } = await pairUp(server);
    const cases = [
      ['no payload', undefined, 'payload'],
      ['not an object', 'spam', 'payload'],
      ['no reason', {}, 'reason'],
      ['reason null', { reason: null }, 'reason'],
      ['reason a number', { reason: 3 }, 'reason'],
      ['reason "Spam"', { reason: 'Spam' }, 'reason'],
      ['reason "abuse"', { reason: 'abuse' }, 'reason'],
      ['note a number', { reason: 'spam', note: 5 }, 'note'],
      ['note an object', { reason: 'spam', note: { text: 'x' } }, 'note'],
      ['note of 501 characters', { reason: 'spam', note: 'é'.repeat(501) }, 'note'],
      ['note of 10 kB', { reason: 'spam', note: 'n'.repeat(10 * 1024) }, 'note'],
      ['note with a control character', { reason: 'spam', note: 'a\u0001b' }, 'note'],
      ['note with a carriage return', { reason: 'spam', note: 'a\r\nb' }, 'note'],
      ['note with a C1 control', { reason: 'spam', note: 'a\u0085b' }, 'note'],
    ];
    const before = await reportTotals();
    for (const [name, payload, field] of cases) {
      const ack = await emitAck(a.socket, 'user:report', payload);
      assertAckError(ack, 'invalid_payload', field);
      assert.ok(!JSON.stringify(ack).includes('nnnnnnnn'), `${name}: the note was echoed`);
    }
    assert.deepEqual(payloads(b.socket, 'chat:ended'), []);
    await sendAndReceive(a, b);
    await sendAndReceive(b, a);
    assert.deepEqual(await reportTotals(), before);
    // The limits themselves pass: 500 characters, layout characters, null note.
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'other',
      note: ` ${'é'.repeat(500)}\n` }), { ok: true });
    await waitPayload(b.socket, 'chat:ended');
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'other',
      note: 'line\n\tindented' }), { ok: true });
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'other', note: null }),
      { ok: true });
  });

  test('every reason is accepted; hallway_reports_total{reason} counts a repeat once', async () => {
    const before = await reportTotals();
    const { a, b } = await pairUp(server);
    assert.deepEqual(await emitAck(a.socket, 'user:report', { reason: 'violence' }), { ok: true });
    await waitPayload(b.socket, 'chat:ended');
    for (const reason of REASONS) {
      assert.deepEqual(await emitAck(a.socket, 'user:report', { reason }), { ok: true }, reason);
    }
    const afterRepeats = await reportTotals();
    assert.deepEqual(afterRepeats, { ...before, violence: before.violence + 1 },
      'a repeated report of the same guest was counted again');
  });
});

describe('abuse: report storms', { timeout: 60000 }, () => {
  test('400 user:report at once: rate-limited after the control burst (50), the flooder is '
    + 'disconnected for flooding, counted once, and the server serves others', async () => {
    const { a, b } = await pairUp(server);
    const bystander = await guest(server);
    const before = await reportTotals();
    const acks = [];
    for (let i = 0; i < 400; i += 1) {
      a.socket.emit('user:report', { reason: 'harassment', note: `storm ${i} ${'x'.repeat(400)}` },
        (ack) => acks.push(ack));
    }
    const d = await waitFor(a.socket, '$disconnect', { timeoutMs: 10000 });
    assert.equal(d.args[0], 'io server disconnect');
    const ok = acks.filter((x) => x?.ok === true).length;
    const limited = acks.filter((x) => x?.error?.code === 'rate_limited').length;
    assert.ok(ok >= 50 && ok <= 70, `${ok} reports accepted (control burst 50, 10/s)`);
    assert.ok(limited >= 28 && limited <= 31, `disconnected after ${limited} refusals`);
    assert.deepEqual(await reportTotals(), { ...before, harassment: before.harassment + 1 });
    assert.deepEqual(payloads(b.socket, 'chat:ended'), [{ reason: 'partner_left' }]);
    assertAckOk(await emitAck(bystander.socket, 'stats:get'));
    assertAckOk(await emitAck(b.socket, 'user:match', { mode: 'text', interests: [uniqueTag()] }));
    assert.equal(await healthStatus(server), 200);
  });
});
