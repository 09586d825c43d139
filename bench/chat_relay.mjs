// Chat relay benchmark: P pairs of guests; every guest sends M chat messages closed-loop (next
// one after the previous ack) to its partner. Reports acked messages/s, ack latency p50/p99 and
// the messages each partner received. Works against Hallway and the Node reference server.
//   node chat_relay.mjs <url> [pairs=100] [messages=200]
// Loopback only; bounded in count; exits by itself.
import { io } from 'socket.io-client';

const [url = 'http://127.0.0.1:3000', pairsArg = '100', msgsArg = '200'] = process.argv.slice(2);
const pairs = Number(pairsArg);
const messages = Number(msgsArg);
if (!/^https?:\/\/(127\.|localhost|\[::1\])/.test(url)) throw new Error('loopback targets only');

async function guest() {
  const r = await fetch(`${url}/api/guest`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  if (r.status !== 201) throw new Error(`guest: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

function connect(token) {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false });
    s.received = 0;
    s.on('chat:message', () => { s.received += 1; });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

const sockets = [];
for (let i = 0; i < 2 * pairs; i += 1) sockets.push(await connect(await guest()));
// Pair them: match one side, then the other, waiting for user:matched on both.
for (let i = 0; i < pairs; i += 1) {
  const [a, b] = [sockets[2 * i], sockets[2 * i + 1]];
  const both = Promise.all([a, b].map((s) => new Promise((r) => s.once('user:matched', r))));
  await a.timeout(5000).emitWithAck('user:match', { mode: 'text' });
  await b.timeout(5000).emitWithAck('user:match', { mode: 'text' });
  await both;
}

const latencies = [];
const t0 = process.hrtime.bigint();
await Promise.all(sockets.map(async (s) => {
  for (let k = 0; k < messages; k += 1) {
    const start = process.hrtime.bigint();
    const ack = await s.timeout(10000).emitWithAck('chat:message',
      { id: crypto.randomUUID(), type: 'text', text: `message ${k} from a benchmark guest` });
    if (!ack?.ok) throw new Error(`nack: ${JSON.stringify(ack)}`);
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
await new Promise((r) => setTimeout(r, 500));
const received = sockets.reduce((n, s) => n + s.received, 0);
latencies.sort((x, y) => x - y);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
console.log(JSON.stringify({
  url, guests: 2 * pairs, sent: latencies.length, received, seconds: +seconds.toFixed(2),
  msgs_per_s: Math.round(latencies.length / seconds),
  p50_ms: +pct(0.5).toFixed(2), p99_ms: +pct(0.99).toFixed(2),
}));
for (const s of sockets) s.close();
process.exit(0);
