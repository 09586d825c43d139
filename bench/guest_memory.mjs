// Memory of one guest in each phase of its life (docs/design.md, Memory): starts a release
// `hallway` with shortened windows (grace 10 s, recovery 30 s, offline memory 60 s), then
// measures RSS and the population gauges with N guests idle, chatting (256 messages each, which
// fills the dedupe window), in their grace after a dropped transport, after the grace, after the
// recovery window and after the offline memory. Per-guest figures are RSS deltas / N.
//   node guest_memory.mjs [binary=../build/release/server/hallway] [guests=400]
// Loopback only; bounded in time (~2 min); exits by itself.
import { io } from 'socket.io-client';

import { metrics, startHallway } from './hallway.mjs';

const [bin = new URL('../build/release/server/hallway', import.meta.url).pathname,
  guestsArg = '400'] = process.argv.slice(2);
const n = Number(guestsArg) & ~1;
const server = await startHallway(bin, ['--threads', '1', '--reconnect-grace', '10s',
  '--recovery-window', '30s', '--retain-offline', '60s']);
const { url } = server;
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

const rows = [];
let base = 0;
async function phase(name) {
  await sleep(500);
  const m = await metrics(server.opsPort);
  const rss = m.hallway_process_resident_memory_bytes;
  if (!base) base = rss;
  rows.push({ phase: name, rss_mb: (rss / 1048576).toFixed(1),
    per_guest_kb: (((rss - base) / n) / 1024).toFixed(1),
    sockets: m.hallway_socketio_sockets, dedupe: m.hallway_chat_dedupe_entries,
    remembered: m.hallway_chat_guests_remembered, recoverable: m.hallway_socketio_recoverable_sockets,
    sessions: m.hallway_guest_sessions });
}

await phase('empty server');
const guests = [];
for (let i = 0; i < n; i += 1) {
  const r = await fetch(`${url}/api/guest`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: '{}' });
  const { token } = await r.json();
  const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false,
    forceNew: true });
  await new Promise((res, rej) => { s.once('connect', res); s.once('connect_error', rej); });
  guests.push(s);
}
await phase(`${n} guests connected, idle`);
for (let i = 0; i < n; i += 2) {
  const tag = `m${process.pid}x${i}`;
  const [a, b] = [guests[i], guests[i + 1]];
  const both = Promise.all([a, b].map((s) => new Promise((r) => s.once('user:matched', r))));
  await a.timeout(5000).emitWithAck('user:match', { mode: 'text', interests: [tag] });
  await b.timeout(5000).emitWithAck('user:match', { mode: 'text', interests: [tag] });
  await both;
}
await Promise.all(guests.map(async (s) => {
  for (let k = 0; k < 256; k += 1) {
    await s.timeout(10000).emitWithAck('chat:message', { id: crypto.randomUUID(), text: `hello ${k}` });
  }
}));
await phase('chatting (256 messages sent and received each)');
for (const s of guests) s.io.engine.close(); // every transport drops
await sleep(3000);
await phase('departed: in the reconnect grace (10 s)');
await sleep(10000);
await phase('after the grace, inside the recovery window (30 s)');
await sleep(20000);
await phase('after the recovery window, offline memory kept (60 s)');
await sleep(45000); // the offline memory ends 60 s after the grace did
await phase('after the offline memory');
console.table(rows);
server.proc.kill('SIGTERM');
process.exit(0);
