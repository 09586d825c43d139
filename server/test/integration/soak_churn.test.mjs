// Churn soak (issue 8): a chat server's memory must follow the guests it serves now. Rounds of
// guests connect, match, chat and leave — by chat:leave, by losing the transport, by reloading
// the page — with every window shortened by flags. Once the windows have passed after a round,
// every population gauge is back to 0, and after the last round RSS is back within a small margin
// of its level after the first one. `make bench` runs the long variant (default windows).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  closeAllGuests, connectGuest, emitAck, pairUp, startChatServer, uniqueTag, uuid, waitFor,
  waitPayload,
} from './lib/chat.mjs';
import { pollUntil, readGauges, residentBytes } from './lib/realtime.mjs';

const MB = 1024 * 1024;
const ROUNDS = 4;
const PAIRS = 50; // 100 guests a round
const MESSAGES = 10; // each way, per pair: 1 000 relayed and acked messages a round

// What a departed guest may leave behind, each with its owner's end (docs/design.md, Memory).
const GAUGES = [
  'hallway_socketio_sockets',
  'hallway_socketio_recoverable_sockets',
  'hallway_socketio_recovery_bytes',
  'hallway_socketio_live_buffer_bytes',
  'hallway_chat_guests_online',
  'hallway_chat_guests_remembered',
  'hallway_chat_dedupe_entries',
  'hallway_chat_pending_messages',
  'hallway_gateway_sockets_held',
  'hallway_guest_sessions',
  'hallway_engineio_sessions',
];

// ASan's quarantine (freed blocks held back to catch use-after-free) fills over the first
// rounds and would read as growth: this test measures memory, so it runs without it (every other
// suite keeps it). The allocator still keeps freed pages for reuse, so RSS after a round is not
// exact; before the fix each round of 100 guests kept ≈ 14 MB, so three more rounds staying
// within this margin means nothing per guest is kept.
const RSS_MARGIN = 6 * MB;
const ASAN_ENV = {
  ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'quarantine_size_mb=0'].filter(Boolean).join(':'),
};

const gauges = (server) => readGauges(server, GAUGES);

// One pair's life: match, chat both ways, then leave in one of three ways.
async function pairLife(server, i) {
  const { a, b } = await pairUp(server, { tag: uniqueTag('soak') });
  for (let k = 0; k < MESSAGES; k += 1) {
    for (const [from, to] of [[a, b], [b, a]]) {
      const id = uuid();
      const ack = await emitAck(from.socket, 'chat:message', { id, type: 'text', text: `m${k}` });
      assert.equal(ack?.ok, true, JSON.stringify(ack));
      await waitPayload(to.socket, 'chat:message', { pred: (p) => p?.id === id });
    }
  }
  switch (i % 3) {
    case 0: // leaves the chat, then closes the page
      await emitAck(a.socket, 'chat:leave');
      a.socket.close();
      b.socket.close();
      break;
    case 1: // the transport drops (no DISCONNECT); the partner closes
      a.socket.io.engine.close();
      b.socket.close();
      break;
    default: { // reloads the page (a fresh connection with the same token), then closes
      a.socket.io.engine.close();
      const again = await connectGuest(server, a.token);
      await waitFor(again, 'connection:established');
      again.close();
      b.socket.close();
    }
  }
}

describe('churn soak', { timeout: 180000 }, () => {
  let server;
  before(async () => {
    server = await startChatServer({
      env: ASAN_ENV,
      flags: {
        'recovery-window': '2s',
        'reconnect-grace': '1s',
        'retain-offline': '3s',
        'session-ttl': '4s',
        'message-rate': '1000/1000',
        'match-rate': '1000/1000',
      },
    });
  });
  after(async () => {
    closeAllGuests();
    await server?.stop();
  });

  test(`${ROUNDS} rounds of ${PAIRS * 2} guests: every gauge back to 0 after each round, RSS `
    + 'flat', async (t) => {
    const rss = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await Promise.all(Array.from({ length: PAIRS }, (_, i) => pairLife(server, i)));
      closeAllGuests();
      let last;
      const drained = await pollUntil(async () => {
        last = await gauges(server);
        return Object.values(last).every((v) => v === 0);
      }, 20000, 250);
      assert.ok(drained, `round ${round}: gauges not back to 0: ${JSON.stringify(last)}`);
      rss.push(await residentBytes(server));
    }
    t.diagnostic(`RSS after each round: ${rss.map((b) => (b / MB).toFixed(1)).join(', ')} MB`);
    assert.ok(rss.at(-1) < rss[0] + RSS_MARGIN, `RSS grew from ${(rss[0] / MB).toFixed(1)} to `
      + `${(rss.at(-1) / MB).toFixed(1)} MB over ${ROUNDS - 1} rounds`);
  });
});
