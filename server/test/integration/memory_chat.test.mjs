// Memory that follows the guests served now (issue 8): rounds of guests connect, match, chat and
// leave in every way a guest leaves (chat:leave, closing the transport, a reload, a recovered
// transport), with every window shortened by flags. After the windows pass, each population the
// chat holds is back to 0 in /metrics; and a departed guest's dedupe ids and kept messages end
// with its reconnect grace, not with the (longer) offline-guest memory.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertAckOk, cleanupChat, connectGuest, emitAck, pairUp, sendAndReceive, startChatServer,
  uuid, waitFor, waitPayload,
} from './lib/chat.mjs';
import { pollUntil, readGauges } from './lib/realtime.mjs';

const GRACE_MS = 1000;
const RETAIN_MS = 12000;
const RECOVERY_MS = 3000;
const SESSION_TTL_MS = 3000;

const GAUGES = [
  'hallway_chat_guests_online',
  'hallway_chat_guests_away',
  'hallway_chat_guests_remembered',
  'hallway_chat_dedupe_entries',
  'hallway_chat_pending_messages',
  'hallway_gateway_sockets_held',
  'hallway_guest_sessions',
];

let server;

before(async () => {
  server = await startChatServer({
    flags: {
      'reconnect-grace': `${GRACE_MS}ms`,
      'retain-offline': `${RETAIN_MS}ms`,
      'recovery-window': `${RECOVERY_MS}ms`,
      'session-ttl': `${SESSION_TTL_MS}ms`,
      'message-rate': '1000/1000',
    },
  });
});
after(cleanupChat);

const gauges = () => readGauges(server, GAUGES);

/** `n` messages from `from` to `to`, sent together; resolves once the last has arrived. */
async function burst(from, to, n) {
  const ids = Array.from({ length: n }, () => uuid());
  const mark = to.socket.received.length;
  const acks = await Promise.all(ids.map((id) => emitAck(from.socket, 'chat:message',
    { id, type: 'text', text: `m ${id}` }, 10000)));
  for (const a of acks) assertAckOk(a, 'chat:message');
  await waitFor(to.socket, 'chat:message', { from: mark, pred: (p) => p?.id === ids.at(-1),
    timeoutMs: 10000 });
}

const dropTransport = (g) => g.socket.io.engine.transport.ws._socket.destroy();

/** One round: four pairs chat, then each leaves its own way. */
async function round(url) {
  const recovering = { reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 300,
    randomizationFactor: 0 };
  const pairs = await Promise.all([0, 1, 2, 3].map((i) => pairUp(url,
    i === 3 ? { aOpts: recovering } : {})));
  await Promise.all(pairs.flatMap(({ a, b }) => [burst(a, b, 40), burst(b, a, 40)]));
  const [byLeave, byClose, byReload, byRecovery] = pairs;

  // 1. chat:leave, then both pages close cleanly.
  assertAckOk(await emitAck(byLeave.a.socket, 'chat:leave', undefined));
  await waitPayload(byLeave.b.socket, 'chat:ended');
  byLeave.a.socket.disconnect();
  byLeave.b.socket.disconnect();

  // 2. the transport closes and never comes back: b's messages are kept for a's return until
  // the grace ends the chat.
  dropTransport(byClose.a);
  await waitPayload(byClose.b.socket, 'partner:connection', { pred: (p) => p?.state === 'reconnecting' });
  const kept = await emitAck(byClose.b.socket, 'chat:message', { id: uuid(), type: 'text', text: 'kept' });
  assertAckOk(kept);
  const held = await gauges();
  assert.ok(held.hallway_chat_pending_messages >= 1, `kept for a: ${JSON.stringify(held)}`);
  assert.ok(held.hallway_chat_guests_away >= 1, `a is away: ${JSON.stringify(held)}`);
  await waitPayload(byClose.b.socket, 'chat:ended', { timeoutMs: GRACE_MS + 5000 });
  byClose.b.socket.disconnect();

  // 3. a reload: the page's transport drops and a new connection (same token) continues.
  dropTransport(byReload.a);
  await waitPayload(byReload.b.socket, 'partner:connection', { pred: (p) => p?.state === 'reconnecting' });
  const reloaded = { ...byReload.a, socket: await connectGuest(url, byReload.a.token) };
  await waitPayload(reloaded.socket, 'user:matched');
  await sendAndReceive(reloaded, byReload.b);
  await sendAndReceive(byReload.b, reloaded);
  reloaded.socket.disconnect();
  byReload.b.socket.disconnect();

  // 4. a recovered transport (socket.io-client reconnects by itself), then the page closes.
  return byRecovery;
}

describe('chat memory under guest churn (short windows)', { timeout: 60000 }, () => {
  test('every chat population is back to 0 after the windows pass', async () => {
    const url = server;
    let peak = Object.fromEntries(GAUGES.map((n) => [n, 0]));
    const note = async () => {
      const g = await gauges();
      for (const n of GAUGES) peak[n] = Math.max(peak[n], g[n]);
      return g;
    };
    for (let i = 0; i < 3; i += 1) {
      const { a, b } = await round(url);
      await note();  // a and b of pair 4 are still chatting
      // Pair 4 leaves: a by a transport drop its client recovers from, b by closing its page.
      const rec = a.socket;
      const mark = rec.received.length;
      dropTransport(a);
      await waitFor(rec, '$connect', { from: mark, timeoutMs: 5000 });
      assert.equal(rec.recovered, true, 'the transport did not recover');
      await sendAndReceive(a, b);
      rec.io.reconnection(false);
      rec.disconnect();
      b.socket.disconnect();
    }
    // Something was held during the rounds, so 0 below is an end, not an absence.
    for (const n of GAUGES) {
      if (n === 'hallway_chat_guests_away') continue;
      assert.ok(peak[n] > 0 || n === 'hallway_chat_guests_remembered'
        || n === 'hallway_chat_pending_messages', `${n} was never above 0`);
    }

    // After the grace: no dedupe id or kept message is left, though the guests are still
    // remembered (their recent partners and limits) for --retain-offline.
    let g;
    assert.ok(await pollUntil(async () => {
      g = await gauges();
      return g.hallway_chat_guests_online === 0 && g.hallway_chat_guests_away === 0
        && g.hallway_chat_dedupe_entries === 0 && g.hallway_chat_pending_messages === 0;
    }, GRACE_MS + 3000, 100), `dedupe ids or kept messages outlived the grace: ${JSON.stringify(g)}`);
    assert.ok(g.hallway_chat_guests_remembered > 0,
      `the offline guests should still be remembered: ${JSON.stringify(g)}`);

    // After the recovery window: the gateway holds no socket of a departed guest, though the
    // guests are still remembered (no socket is held for the offline-guest memory).
    assert.ok(await pollUntil(async () => {
      g = await gauges();
      return g.hallway_gateway_sockets_held === 0;
    }, GRACE_MS + RECOVERY_MS + 1500, 100), `sockets outlived their window: ${JSON.stringify(g)}`);
    assert.ok(g.hallway_chat_guests_remembered > 0,
      `the offline guests should still be remembered: ${JSON.stringify(g)}`);

    // After every window: nothing.
    assert.ok(await pollUntil(async () => {
      g = await gauges();
      return GAUGES.every((n) => g[n] === 0);
    }, Math.max(RETAIN_MS, RECOVERY_MS, SESSION_TTL_MS) + 5000, 200),
    `memory outlived its windows: ${JSON.stringify(g)}`);
  });
});
