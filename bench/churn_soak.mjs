// Churn soak, long variant (issue 8): starts a release `hallway` with its default windows (2 min
// recovery, 15 s reconnect grace, 10 min offline-guest memory) and runs rounds of guests that
// connect, match, chat and leave (chat:leave, dropped transport, page reload) for `minutes`,
// then idles until every window has passed. Samples RSS and the population gauges every 10 s
// from the ops listener and prints them as CSV plus a text plot (for docs/benchmarks.md).
//   node churn_soak.mjs [binary=../build/release/server/hallway] [minutes=12] [pairs=100]
// Loopback only; bounded in time; exits by itself (and stops the server it started).
import { io } from 'socket.io-client';

import { metrics, startHallway } from './hallway.mjs';

const [bin = new URL('../build/release/server/hallway', import.meta.url).pathname,
  minutesArg = '12', pairsArg = '100'] = process.argv.slice(2);
const minutes = Number(minutesArg);
const pairs = Number(pairsArg);
const MESSAGES = 20; // each way per pair and round
const IDLE_AFTER_MS = 11 * 60 * 1000; // every default window (10 min the longest) plus slack

const server = await startHallway(bin, ['--threads', '1']);
const { url } = server;

async function guest() {
  const r = await fetch(`${url}/api/guest`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (r.status !== 201) throw new Error(`POST /api/guest: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

function connect(token) {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false,
      forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function pairLife(i) {
  const tag = `soak${process.pid}x${i}x${Date.now()}`;
  const [ta, tb] = [await guest(), await guest()];
  const [a, b] = [await connect(ta), await connect(tb)];
  const matched = Promise.all([a, b].map((s) => new Promise((r) => s.once('user:matched', r))));
  await a.timeout(5000).emitWithAck('user:match', { mode: 'text', interests: [tag] });
  await b.timeout(5000).emitWithAck('user:match', { mode: 'text', interests: [tag] });
  await matched;
  for (let k = 0; k < MESSAGES; k += 1) {
    await a.timeout(5000).emitWithAck('chat:message', { id: crypto.randomUUID(), text: `a${k}` });
    await b.timeout(5000).emitWithAck('chat:message', { id: crypto.randomUUID(), text: `b${k}` });
  }
  if (i % 3 === 0) {
    await a.timeout(5000).emitWithAck('chat:leave');
    a.close();
  } else if (i % 3 === 1) {
    a.io.engine.close(); // dropped transport
  } else {
    a.io.engine.close(); // page reload: a fresh connection with the same token
    (await connect(ta)).close();
  }
  b.close();
}

const samples = [];
const start = Date.now();
const sample = async (phase) => {
  const m = await metrics(server.opsPort);
  samples.push({ t: Math.round((Date.now() - start) / 1000), phase, ...m });
};
const sampler = setInterval(() => { sample('').catch(() => {}); }, 10000);
let rounds = 0;
// A round every ROUND_MS at most: guest sessions live 2 h by design (a token's validity), so the
// pace sets how many the store holds; ~200 guests every 5 s is 2 400 a minute.
const ROUND_MS = 5000;
while (Date.now() - start < minutes * 60 * 1000) {
  const t = Date.now();
  await Promise.all(Array.from({ length: pairs }, (_, i) => pairLife(i)));
  rounds += 1;
  await new Promise((r) => { setTimeout(r, Math.max(0, ROUND_MS - (Date.now() - t))); });
}
const churnEnd = Date.now();
while (Date.now() - churnEnd < IDLE_AFTER_MS) await new Promise((r) => { setTimeout(r, 5000); });
clearInterval(sampler);
await sample('end');
server.proc.kill('SIGTERM');

const cols = ['hallway_process_resident_memory_bytes', 'hallway_socketio_sockets',
  'hallway_socketio_recoverable_sockets', 'hallway_socketio_recovery_bytes',
  'hallway_chat_guests_remembered', 'hallway_chat_dedupe_entries', 'hallway_guest_sessions'];
console.log(`rounds=${rounds} pairs=${pairs} messages_per_pair_round=${2 * MESSAGES}`);
console.log(['t_s', ...cols].join(','));
for (const s of samples) console.log([s.t, ...cols.map((c) => s[c] ?? '')].join(','));
// Text plot of RSS over time (one row per sample, 60 columns = the run's maximum).
const max = Math.max(...samples.map((s) => s[cols[0]] ?? 0));
for (const s of samples) {
  const mb = (s[cols[0]] ?? 0) / 1048576;
  const bar = '#'.repeat(Math.round(((s[cols[0]] ?? 0) / max) * 60));
  console.log(`${String(s.t).padStart(5)} s ${mb.toFixed(1).padStart(7)} MB ${bar}`);
}
process.exit(0);
