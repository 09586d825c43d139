// A real coturn (the Debian package) started from the shipped deploy/coturn/turnserver.conf —
// only the addresses, ports, secret, realm, TLS and log paths rewritten, and loopback peers
// allowed — and a TURN Allocate written by hand (RFC 5766 over RFC 5389 STUN on UDP), so a test
// can ask coturn itself whether a credential from /api/ice-servers is accepted.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';

import { freePort } from './nginx.mjs';
import { HOST, REPO_ROOT, sleep, tempDir } from './server.mjs';

export const SHIPPED_TURN_CONF = path.join(REPO_ROOT, 'deploy/coturn/turnserver.conf');
const live = new Set();

/** Starts coturn on 127.0.0.1; resolves {port, realm, secret, stop()}. */
export async function startCoturn({ secret = 'hallway-integration-turn-secret-0123456789',
  realm = 'hallway.test' } = {}) {
  const dir = tempDir('hallway-turn-');
  const port = await freePort();
  const minPort = 40000 + Math.floor(Math.random() * 20000);
  const drop = /^(listening-port|tls-listening-port|listening-ip|relay-ip|min-port|max-port|static-auth-secret|realm|cert|pkey|no-tlsv1|no-tlsv1_1|cipher-list|log-file|pidfile|denied-peer-ip=127)/;
  const shipped = fs.readFileSync(SHIPPED_TURN_CONF, 'utf8').split('\n')
    .filter((l) => !drop.test(l.trim()));
  shipped.push(`listening-port=${port}`, `listening-ip=${HOST}`, `relay-ip=${HOST}`,
    `min-port=${minPort}`, `max-port=${minPort + 200}`, `static-auth-secret=${secret}`,
    `realm=${realm}`, 'no-tls', 'no-dtls', 'allow-loopback-peers', `log-file=${dir}/turn.log`,
    `pidfile=${dir}/turn.pid`, `userdb=${dir}/turndb`);
  const conf = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(conf, shipped.join('\n'));
  const proc = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  live.add(proc);
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => { proc.once('exit', r); setTimeout(r, 2000); });
    }
    live.delete(proc);
  };
  // Ready when it answers an Allocate (a 401 asking for credentials).
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`coturn exited: ${out.slice(-2000)}`);
    const r = await allocate(port, {}).catch(() => null);
    if (r) return { port, realm, secret, stop, log: () => out };
    await sleep(100);
  }
  await stop();
  throw new Error(`coturn did not answer on ${port}: ${out.slice(-2000)}`);
}

export async function stopAllCoturn() {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

// ---- STUN/TURN messages -----------------------------------------------------------------------

const MAGIC = 0x2112a442;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014,
  NONCE: 0x0015, REQUESTED_TRANSPORT: 0x0019, XOR_RELAYED_ADDRESS: 0x0016 };

function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc(pad)]);
}

function message(type, tid, attrs, key) {
  let body = Buffer.concat(attrs);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt32BE(MAGIC, 4);
  tid.copy(head, 8);
  if (key) {
    // MESSAGE-INTEGRITY covers the message with a length that already counts it (24 bytes).
    head.writeUInt16BE(body.length + 24, 2);
    const mac = crypto.createHmac('sha1', key).update(Buffer.concat([head, body])).digest();
    body = Buffer.concat([body, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
  }
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function parse(buf) {
  const type = buf.readUInt16BE(0);
  const attrs = new Map();
  let off = 20;
  while (off + 4 <= buf.length) {
    const t = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    attrs.set(t, buf.subarray(off + 4, off + 4 + len));
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  const err = attrs.get(ATTR.ERROR_CODE);
  return { type, attrs, error: err ? err[2] * 100 + err[3] : 0 };
}

/** A UDP socket that sends requests and resolves their answers, one at a time. */
function client(port) {
  const sock = dgram.createSocket('udp4');
  let waiting = null;
  sock.on('message', (m) => { if (waiting) { const w = waiting; waiting = null; w(parse(m)); } });
  return {
    // The same socket for every request: coturn binds a nonce to the client's address and port.
    ask(msg, timeoutMs = 1000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiting = null; reject(new Error('no TURN answer')); }, timeoutMs);
        waiting = (r) => { clearTimeout(timer); resolve(r); };
        sock.send(msg, port, HOST);
      });
    },
    close() { sock.close(); },
  };
}

/**
 * A TURN Allocate for UDP. Without credentials: the server's first answer (401 with realm and
 * nonce). With {username, password}: the long-term-credential exchange; resolves
 * {ok: true, relayed} on success or {ok: false, error} (401 for refused credentials).
 */
export async function allocate(port, { username, password } = {}) {
  const c = client(port);
  try {
    const transport = attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]));
    const first = await c.ask(message(0x0003, crypto.randomBytes(12), [transport]));
    if (username === undefined) return first;
    const realm = first.attrs.get(ATTR.REALM);
    const nonce = first.attrs.get(ATTR.NONCE);
    if (first.error !== 401 || !realm || !nonce) throw new Error(`unexpected first answer ${first.error}`);
    const key = crypto.createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const second = await c.ask(message(0x0003, crypto.randomBytes(12), [transport,
      attr(ATTR.USERNAME, Buffer.from(username)), attr(ATTR.REALM, realm), attr(ATTR.NONCE, nonce)], key));
    if (second.type === 0x0103) return { ok: true, relayed: second.attrs.has(ATTR.XOR_RELAYED_ADDRESS) };
    return { ok: false, error: second.error };
  } finally {
    c.close();
  }
}
