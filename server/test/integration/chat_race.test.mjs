// Matching under concurrency (docs/protocol.md §3: "Pairing is atomic: nobody is ever in two
// pairs"): 200 guests connected over WebSocket all ask for a partner at once (some twice, some
// with user:next from the start), and some polite sides hit user:next as soon as they are
// matched. With --match-fallback 0 anyone may pair with anyone (except a recent partner), so
// when things settle at most one guest per mode may still be searching. Every user:matched must
// pair two distinct guests who agree on the room, and no guest may be in two rooms at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertAckOk, cleanupChat, closeAllGuests, connectGuest, createGuest, emitAck, openGuest, pairUp,
  restStats, sleep, startChatServer, waitFor,
} from './lib/chat.mjs';
import { findSamples, parsePrometheusText } from './lib/prometheus.mjs';
import { pollUntil } from './lib/realtime.mjs';
import { getMetrics } from './lib/server.mjs';

after(cleanupChat);

const N = 200;
const POOL = ['music', 'games', 'films', 'books', 'travel'];

let server;
before(async () => {
  server = await startChatServer({ flags: { 'match-fallback': '0', 'guest-create-rate': '100000',
    'max-connections-per-ip': '2000' } });
});
after(async () => {
  closeAllGuests();
  await server?.stop();
});

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...await Promise.all(items.slice(i, i + size).map(fn)));
  }
  return out;
}

test(`${N} guests racing user:match / user:next get only valid, disjoint pairs`,
  { timeout: 60000 }, async (t) => {
    const specs = Array.from({ length: N }, (_, i) => ({
      i,
      username: `race_${i}`,
      mode: i % 4 === 3 ? 'video' : 'text',
      interests: POOL.filter((_, k) => (i * 7 + k * 3) % 5 < (i % 3)),
      doubleMatch: i % 10 === 0, // user:match twice, back to back
      firstNext: i % 7 === 0, // user:next instead of user:match
      nextOnMatch: i % 3 === 0, // user:next once, right when first matched as the polite side
    }));
    const created = await inBatches(specs, 25, (s) => createGuest(server,
      { username: s.username, interests: s.interests }));
    const guests = specs.map((s, k) => ({ ...s, ...created[k], acks: [], emitted: 0 }));
    await inBatches(guests, 50, async (g) => {
      g.socket = await connectGuest(server, g.token, { connectTimeoutMs: 15000 });
    });
    const byName = new Map(guests.map((g) => [g.user.username, g]));

    const ackTimeouts = [];
    const act = (g, event, payload) => {
      const log = g.socket.received;
      log.push({ event: `$emit:${event}`, args: [payload], at: Date.now() });
      g.emitted += 1;
      g.socket.timeout(20000).emit(event, payload, (err, ack) => {
        if (err) { ackTimeouts.push(`${g.username} ${event}`); return; }
        log.push({ event: '$ack', args: [ack, event], at: Date.now() });
        g.acks.push({ event, ack });
      });
    };
    for (const g of guests) {
      if (g.nextOnMatch) {
        let done = false;
        g.socket.on('user:matched', (m) => {
          if (done || m?.polite !== true) return;
          done = true;
          act(g, 'user:next', { mode: g.mode });
        });
      }
    }

    // Settle: every ack in, and no application event for 1.5 s.
    const appEvents = () => guests.reduce((n, g) => n + g.socket.received
      .filter((e) => e.event !== 'realtime:stats').length, 0);
    async function settle(t0) {
      let last = -1;
      let stableSince = Date.now();
      for (;;) {
        await sleep(250);
        const n = appEvents();
        const acked = guests.every((g) => g.acks.length === g.emitted);
        if (n !== last || !acked) { last = n; stableSince = Date.now(); }
        if (Date.now() - stableSince >= 1500) return Date.now() - t0 - 1500;
        assert.ok(Date.now() - t0 < 25000, `not settled after 25 s (acks missing: ${
          guests.filter((g) => g.acks.length !== g.emitted).length})`);
      }
    }

    function verify(wave) {
      assert.deepEqual(ackTimeouts, [], 'events without an ack');
      // Acks: documented shapes only.
      for (const g of guests) {
        for (const { event, ack } of g.acks) {
          const what = `${wave}: ${g.username} ${event}: ${JSON.stringify(ack)}`;
          assert.ok(ack && typeof ack.ok === 'boolean', what);
          if (ack.ok) assert.ok(['searching', 'matched'].includes(ack.state), what);
          else assert.equal(ack.error?.code, 'already_in_chat', what);
        }
        assert.ok(g.socket.connected, `${wave}: ${g.username} was disconnected`);
      }

      // Rooms: exactly two distinct guests each, agreeing on everything.
      const rooms = new Map();
      const partners = new Map(guests.map((g) => [g, []]));
      for (const g of guests) {
        for (const e of g.socket.received) {
          if (e.event !== 'user:matched') continue;
          const m = e.args[0];
          assert.equal(typeof m?.roomId, 'string', JSON.stringify(m));
          if (!rooms.has(m.roomId)) rooms.set(m.roomId, []);
          rooms.get(m.roomId).push({ g, m });
          partners.get(g).push(byName.get(m.partner?.username));
        }
      }
      for (const [roomId, members] of rooms) {
        assert.equal(members.length, 2,
          `${wave}: room ${roomId} announced to ${members.map((x) => x.g.username)}`);
        const [x, y] = members;
        assert.notEqual(x.g, y.g, `${wave}: room ${roomId} pairs ${x.g.username} with itself`);
        assert.equal(x.m.partner.username, y.g.username, `${wave}: room ${roomId}`);
        assert.equal(y.m.partner.username, x.g.username, `${wave}: room ${roomId}`);
        assert.equal(x.m.mode, y.m.mode);
        assert.equal(x.m.mode, x.g.mode, `${x.g.username} asked for ${x.g.mode}, got ${x.m.mode}`);
        assert.equal(y.m.mode, y.g.mode, `${y.g.username} asked for ${y.g.mode}, got ${y.m.mode}`);
        assert.notEqual(x.m.polite, y.m.polite, `${wave}: room ${roomId}: exactly one polite side`);
        assert.deepEqual([...x.m.commonInterests].sort(), [...y.m.commonInterests].sort());
      }

      // Timelines, in the order each client saw them. A user:next leaves the room when the
      // server handles it, before its own user:matched and ack, so it is "pending" until acked.
      // Never matched into a room while still in another; who is where at the end.
      const active = new Map();
      const searching = new Map();
      for (const g of guests) {
        let room = null;
        let waiting = false;
        let pendingNext = 0;
        for (const e of g.socket.received) {
          if (e.event === '$emit:user:next') {
            pendingNext += 1;
          } else if (e.event === '$ack') {
            const [ack, event] = e.args;
            if (event === 'user:next') pendingNext -= 1;
            if (ack?.ok && ack.state === 'searching') {
              if (event === 'user:next') room = null;
              assert.equal(room, null,
                `${wave}: ${g.username}: ${event} acked "searching" while in room ${room}`);
              waiting = true;
            }
            if (ack?.ok && ack.state === 'matched') {
              assert.notEqual(room, null, `${wave}: ${g.username}: "matched" ack without a room`);
            }
          } else if (e.event === 'user:matched') {
            assert.ok(room === null || pendingNext > 0, `${wave}: ${g.username} matched into `
              + `${e.args[0].roomId} while still in room ${room}`);
            room = e.args[0].roomId;
            waiting = false;
          } else if (e.event === 'chat:ended') {
            assert.notEqual(room, null, `${wave}: ${g.username}: chat:ended outside a room`);
            room = null;
          }
        }
        if (room) active.set(g, room);
        if (waiting) searching.set(g, g.mode);
      }
      // Both members of a room still active agree it is active.
      for (const [g, room] of active) {
        const other = rooms.get(room).find((x) => x.g !== g).g;
        assert.equal(active.get(other), room,
          `${wave}: ${g.username} is in ${room}, its partner ${other.username} is not`);
        assert.equal(searching.has(g), false);
      }
      // Guests still searching in a mode must all be excluded from each other (one is among the
      // other's last 3 partners); after the first wave that leaves at most one per mode.
      const recent = (g) => partners.get(g).slice(-3);
      for (const mode of ['text', 'video']) {
        const left = [...searching].filter(([, m]) => m === mode).map(([g]) => g);
        const names = left.map((g) => g.username);
        if (wave === 'wave 1') {
          assert.ok(left.length <= 1, `${wave}: ${names.length} ${mode} guests left unmatched: ${names}`);
        }
        for (const x of left) {
          for (const y of left) {
            if (x !== y) {
              assert.ok(recent(x).includes(y) || recent(y).includes(x),
                `${wave}: ${x.username} and ${y.username} both still search ${mode} and could `
                + `pair (left: ${names})`);
            }
          }
        }
      }
      return { rooms, active, searching };
    }

    // Wave 1: everyone at once.
    const t1 = Date.now();
    for (const g of guests) {
      act(g, g.firstNext ? 'user:next' : 'user:match', { mode: g.mode });
      if (g.doubleMatch) act(g, 'user:match', { mode: g.mode });
    }
    const settled1 = await settle(t1);
    const r1 = verify('wave 1');
    assert.ok(r1.rooms.size >= N / 2 - 2, `only ${r1.rooms.size} rooms for ${N} guests`);
    assert.deepEqual(await restStats(server), { online: N, searching: r1.searching.size,
      chatting: r1.active.size }, 'GET /api/stats after wave 1');
    const nexts1 = guests.reduce((n, g) => n + g.socket.received
      .filter((e) => e.event === '$emit:user:next').length, 0);
    assert.ok(nexts1 > 20, `only ${nexts1} user:next were raced`);
    t.diagnostic(`wave 1: ${r1.rooms.size} rooms, ${r1.active.size / 2} active, `
      + `${r1.searching.size} searching, ${nexts1} user:next, settled in ${settled1} ms`);

    // Wave 2: everybody hits "New" at once, every other guest twice (a double click).
    await sleep(1000); // the match bucket refills (2/s)
    const t2 = Date.now();
    for (const g of guests) {
      act(g, 'user:next', { mode: g.mode });
      if (g.i % 2 === 0) act(g, 'user:next', { mode: g.mode });
    }
    const settled2 = await settle(t2);
    const r2 = verify('wave 2');
    assert.deepEqual(await restStats(server), { online: N, searching: r2.searching.size,
      chatting: r2.active.size }, 'GET /api/stats after wave 2');
    t.diagnostic(`wave 2: ${r2.rooms.size} rooms in all, ${r2.active.size / 2} active, `
      + `${r2.searching.size} searching, settled in ${settled2} ms`);
  });

// The page-reload race (issue 7, item 8): a guest's new connection replaces the old one
// ("newest wins": the gateway disconnects the old socket) while the old transport is closing on
// another I/O thread. Run with several threads (scripts/test.sh's TSan stage) this is the
// data race on the socket's connection/owner pointers; any order must end with one live socket
// and nothing left waiting for recovery.
describe('page reload racing the old transport', () => {
  let reload;
  before(async () => {
    reload = await startChatServer({ flags: { 'recovery-window': '2m', 'reconnect-grace': '30s',
      'max-connections-per-ip': '2000' } });
  });
  after(async () => {
    closeAllGuests();
    await reload?.stop();
  });

  const recoverable = async () => {
    const r = await getMetrics(reload);
    return findSamples(parsePrometheusText(r.text), 'hallway_socketio_recoverable_sockets')[0]?.value;
  };

  test('50 reloads of a paired guest, each racing the old transport\'s close: one live socket, '
    + 'nothing kept for recovery', { timeout: 120000 }, async () => {
    const { a, b } = await pairUp(reload);
    let current = a.socket;
    for (let i = 0; i < 50; i += 1) {
      const old = current;
      const fresh = openGuest(reload, a.token);
      // Close the old transport right away, when the new transport is open (its CONNECT and
      // the old close then cross the server on different strands), or once the new socket is
      // connected (the server is running "newest wins" for it).
      const closeOld = () => old.io.engine.close();
      if (i % 3 === 0) closeOld();
      else if (i % 3 === 1) fresh.io.once('open', closeOld);
      else fresh.once('connect', closeOld);
      await waitFor(fresh, 'connection:established', { timeoutMs: 15000 });
      current = fresh;
    }
    assertAckOk(await emitAck(current, 'stats:get'));
    assertAckOk(await emitAck(b.socket, 'stats:get'));
    assert.ok(await pollUntil(async () => await recoverable() === 0, 10000),
      `${await recoverable()} replaced sockets still wait for recovery`);
  });
});
