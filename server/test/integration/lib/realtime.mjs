// Helpers for the realtime (Engine.IO v4 / Socket.IO v5) tests: a buffered raw WebSocket client
// (the `ws` package), raw Engine.IO / Socket.IO packet helpers, HTTP long-polling helpers (global
// fetch), socket.io-client wrappers with an event log, TCP state from /proc/net/tcp and the
// resident-memory metric.
//
// Every WebSocket and socket.io-client socket made here is tracked; call `closeAllRealtime()`
// (cleanupRealtime() also runs lib/server.mjs's cleanupAll()) from an `after` hook.

import { EventEmitter } from 'node:events';
import fs from 'node:fs';

import { io as ioClient } from 'socket.io-client';
import WebSocket from 'ws';

import { findSamples, parsePrometheusText } from './prometheus.mjs';
import { HOST, cleanupAll, get, getMetrics, sleep } from './server.mjs';

export { WebSocket };

// ---------------------------------------------------------------------------------------------
// Registries

const liveWs = new Set();
const liveClients = new Set();

/** Closes every raw WebSocket and every socket.io-client socket/manager made here. */
export function closeAllRealtime() {
  for (const c of liveWs) c.terminate();
  liveWs.clear();
  for (const s of liveClients) {
    try {
      s.io.reconnection(false);
      s.disconnect();
      s.io.engine?.close();
    } catch { /* already gone */ }
  }
  liveClients.clear();
}

/** closeAllRealtime() and lib/server.mjs's cleanupAll() (servers, raw sockets, temp dirs). */
export async function cleanupRealtime() {
  closeAllRealtime();
  await cleanupAll();
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what = 'operation') {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------
// URLs

export const SIO_PATH = '/socket.io/';
export const EIO_PATH = '/engine.io/';

/** http://127.0.0.1:port */
export const httpBase = (server) => `http://${HOST}:${server.port}`;
/** ws://127.0.0.1:port */
export const wsBase = (server) => `ws://${HOST}:${server.port}`;

/** `${base}${path}?EIO=4&transport=polling[&sid=...]`. */
export function pollingUrl(server, { path = SIO_PATH, sid, eio = '4', extra = '' } = {}) {
  return `${httpBase(server)}${path}?EIO=${eio}&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ''}${extra}`;
}

/** `ws://.../socket.io/?EIO=4&transport=websocket[&sid=...]`. */
export function websocketUrl(server, { path = SIO_PATH, sid, eio = '4' } = {}) {
  return `${wsBase(server)}${path}?EIO=${eio}&transport=websocket${sid ? `&sid=${encodeURIComponent(sid)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Raw WebSocket client with buffered events

/**
 * A `ws` WebSocket whose open/message/close events are queued, so tests can `await next()`
 * without losing messages that arrived in the same TCP read. Text frames are delivered as
 * strings, binary frames as Buffers. permessage-deflate is off unless asked for.
 *
 * A refused upgrade (HTTP status other than 101) is recorded in `unexpected` ({status,
 * headers, body}) and ends the connection like a close with code 1006.
 */
export class WsConn {
  constructor(url, { origin, headers = {}, perMessageDeflate = false, maxPayload } = {}) {
    this.url = url;
    this.messages = [];
    this.waiters = [];
    this.opened = false;
    this.closed = false;
    this.closeInfo = null;
    this.closedAt = null;
    this.openedAt = null;
    this.unexpected = null;
    this.errors = [];
    this.pingsAnswered = 0;
    this._answerPings = false;
    this._openWaiters = [];
    this._closeWaiters = [];
    const opts = { headers, perMessageDeflate };
    if (origin !== undefined) opts.origin = origin;
    if (maxPayload !== undefined) opts.maxPayload = maxPayload;
    this.ws = new WebSocket(url, opts);
    liveWs.add(this);
    this.ws.on('open', () => {
      this.opened = true;
      this.openedAt = Date.now();
      for (const w of this._openWaiters.splice(0)) w.resolve();
    });
    this.ws.on('message', (data, isBinary) => {
      const value = isBinary ? Buffer.from(data) : data.toString('utf8');
      if (this._answerPings && value === '2') {
        this.pingsAnswered += 1;
        this.send('3');
        return;
      }
      const m = { data: value, isBinary, at: Date.now() };
      const w = this.waiters.shift();
      if (w) w.resolve(m); else this.messages.push(m);
    });
    this.ws.on('error', (e) => { this.errors.push(e); });
    this.ws.on('unexpected-response', (req, res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      const finish = () => {
        if (this.unexpected) return;
        this.unexpected = { status: res.statusCode, headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8') };
        req.destroy();
        this._markClosed(1006, '');
      };
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    this.ws.on('close', (code, reason) => this._markClosed(code, reason.toString('utf8')));
  }

  static open(url, opts) { return new WsConn(url, opts); }

  _markClosed(code, reason) {
    if (this.closed) return;
    this.closed = true;
    this.closedAt = Date.now();
    this.closeInfo = { code, reason };
    liveWs.delete(this);
    for (const w of this.waiters.splice(0)) {
      w.reject(new Error(`connection closed (code ${code}${reason ? `, ${reason}` : ''}) `
        + 'while waiting for a message'));
    }
    for (const w of this._openWaiters.splice(0)) {
      w.reject(new Error(`connection closed before open (code ${code}`
        + `${this.unexpected ? `, HTTP ${this.unexpected.status}` : ''})`));
    }
    for (const w of this._closeWaiters.splice(0)) w.resolve(this.closeInfo);
  }

  /** Resolves when the WebSocket is open; rejects when it closes first or after timeoutMs. */
  waitOpen(timeoutMs = 3000) {
    if (this.opened) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`closed before open (code ${this.closeInfo.code})`));
    return withTimeout(new Promise((resolve, reject) => this._openWaiters.push({ resolve, reject })),
      timeoutMs, `WebSocket open ${this.url}`);
  }

  /** The next message {data, isBinary, at}; rejects on close or after timeoutMs. */
  nextMessage(timeoutMs = 3000) {
    if (this.messages.length) return Promise.resolve(this.messages.shift());
    if (this.closed) {
      return Promise.reject(new Error(`connection closed (code ${this.closeInfo.code}) `
        + 'while waiting for a message'));
    }
    let waiter;
    const p = new Promise((resolve, reject) => { waiter = { resolve, reject }; });
    this.waiters.push(waiter);
    return withTimeout(p, timeoutMs, `message on ${this.url}`).catch((e) => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      throw e;
    });
  }

  /** The next message's data: a string (text frame) or a Buffer (binary frame). */
  async next(timeoutMs = 3000) { return (await this.nextMessage(timeoutMs)).data; }

  /** Like next(), skipping Engine.IO ping packets ("2"). */
  async nextNonPing(timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.next(Math.max(1, deadline - Date.now()));
      if (d !== '2') return d;
    }
  }

  /**
   * The next message (pings skipped) that satisfies `pred`; the others are dropped, or kept
   * in `skipped` when given.
   */
  async nextMatching(pred, timeoutMs = 3000, skipped = null) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.nextNonPing(Math.max(1, deadline - Date.now()));
      if (pred(d)) return d;
      if (skipped) skipped.push(d);
    }
  }

  /** From now on, every ping ("2") is answered with a pong ("3") and not queued. */
  answerPings(on = true) {
    this._answerPings = on;
    if (on) {
      const rest = [];
      for (const m of this.messages) {
        if (m.data === '2') { this.pingsAnswered += 1; this.send('3'); } else rest.push(m);
      }
      this.messages = rest;
    }
    return this;
  }

  /** Sends a string as a text frame, a Buffer/Uint8Array as a binary frame. */
  send(data) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data);
  }

  /** Sends `bytes` as the payload of a TEXT frame, unchecked (e.g. invalid UTF-8). */
  sendRawText(bytes) {
    this.ws.send(Buffer.from(bytes), { binary: false });
  }

  /** Resolves {code, reason} when closed; rejects after timeoutMs. */
  waitClose(timeoutMs = 3000) {
    if (this.closed) return Promise.resolve(this.closeInfo);
    return withTimeout(new Promise((resolve, reject) => this._closeWaiters.push({ resolve, reject })),
      timeoutMs, `close of ${this.url}`);
  }

  /** Resolves true when closed within timeoutMs, false otherwise. */
  async closesWithin(timeoutMs) {
    try { await this.waitClose(timeoutMs); return true; } catch { return false; }
  }

  /** Stops reading from the TCP socket (ws.pause(): ws itself will not resume it). */
  pause() { this.ws.pause(); }

  resume() { this.ws.resume(); }

  /** The local TCP port of the underlying connection. */
  get localPort() { return this.ws._socket?.localPort; }

  close(code, reason) {
    try { this.ws.close(code, reason); } catch { /* not open */ }
  }

  terminate() {
    try { this.ws.terminate(); } catch { /* gone */ }
    liveWs.delete(this);
  }
}

// ---------------------------------------------------------------------------------------------
// Engine.IO / Socket.IO packets

/** Parses an Engine.IO open packet ("0{...}"); throws when it is not one. */
export function parseOpenPacket(data) {
  if (typeof data !== 'string' || !data.startsWith('0')) {
    throw new Error(`not an Engine.IO open packet: ${JSON.stringify(String(data).slice(0, 200))}`);
  }
  return JSON.parse(data.slice(1));
}

/**
 * Parses the text part of a Socket.IO packet (without the Engine.IO "4"):
 * <type>[<attachments>-][<nsp>,][<id>][<json>] → {type, attachments, nsp, id, data}.
 */
export function parseSioPacket(str) {
  let i = 0;
  const type = Number(str[i]);
  if (!Number.isInteger(type) || type < 0 || type > 6) throw new Error(`bad packet type in ${str}`);
  i += 1;
  let attachments = 0;
  if (type === 5 || type === 6) {
    const dash = str.indexOf('-', i);
    if (dash < 0) throw new Error(`no attachment count in ${str}`);
    attachments = Number(str.slice(i, dash));
    i = dash + 1;
  }
  let nsp = '/';
  if (str[i] === '/') {
    const comma = str.indexOf(',', i);
    nsp = comma < 0 ? str.slice(i) : str.slice(i, comma);
    i = comma < 0 ? str.length : comma + 1;
  }
  let id = null;
  const m = /^\d+/.exec(str.slice(i));
  if (m) { id = Number(m[0]); i += m[0].length; }
  const rest = str.slice(i);
  const data = rest === '' ? undefined : JSON.parse(rest);
  return { type, attachments, nsp, id, data };
}

/** The Engine.IO message carrying a Socket.IO EVENT: 42[nsp,][id]["ev",...args]. */
export function sioEvent(event, args = [], { id, nsp = '/' } = {}) {
  return `42${nsp === '/' ? '' : `${nsp},`}${id ?? ''}${JSON.stringify([event, ...args])}`;
}

/** True when `data` is an Engine.IO message carrying a Socket.IO EVENT named `event`. */
export function isSioEvent(data, event) {
  if (typeof data !== 'string' || !data.startsWith('42')) return false;
  try {
    const p = parseSioPacket(data.slice(1));
    return Array.isArray(p.data) && p.data[0] === event;
  } catch {
    return false;
  }
}

/** Splits an HTTP long-polling payload into its packets (separator \x1e). */
export const splitPayload = (text) => (text === '' ? [] : text.split('\x1e'));

/**
 * Raw Engine.IO + Socket.IO handshake over a WebSocket on /socket.io/: the open packet, then
 * CONNECT to "/" (with `auth` as payload when given) and its answer.
 * Resolves {conn, open, connect (parsed CONNECT answer), sid (Socket.IO id)}; with
 * `hello: true` (the realtime test server) also waits for the "hello" event → {hello}.
 */
export async function rawSocketIo(server, { auth, hello = false, timeoutMs = 3000, wsOpts } = {}) {
  const conn = WsConn.open(websocketUrl(server), wsOpts);
  const open = parseOpenPacket(await conn.next(timeoutMs));
  conn.send(`40${auth === undefined ? '' : JSON.stringify(auth)}`);
  const answer = await conn.nextNonPing(timeoutMs);
  if (!answer.startsWith('40')) {
    throw new Error(`expected a CONNECT answer, got ${JSON.stringify(answer.slice(0, 200))}`);
  }
  const connect = parseSioPacket(answer.slice(1));
  const result = { conn, open, connect, sid: connect.data?.sid };
  if (hello) {
    const h = await conn.nextMatching((d) => isSioEvent(d, 'hello'), timeoutMs);
    result.hello = parseSioPacket(h.slice(1)).data;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// HTTP long-polling (global fetch)

/** GET handshake; resolves {sid, open (parsed), status, text}. Throws when it is not a 200. */
export async function pollingHandshake(server, { path = SIO_PATH, headers = {} } = {}) {
  const r = await fetch(pollingUrl(server, { path }), { headers });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`polling handshake: HTTP ${r.status} ${text}`);
  const open = parseOpenPacket(splitPayload(text)[0]);
  return { sid: open.sid, open, status: r.status, text, headers: r.headers };
}

/** One polling GET (timeoutMs: abort) → {status, text, headers}. */
export async function pollGet(server, sid, { path = SIO_PATH, timeoutMs = 5000, extra = '' } = {}) {
  const r = await fetch(pollingUrl(server, { path, sid, extra }),
    { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

/** One polling POST of `body` → {status, text, headers}; network errors → {status: null, error}. */
export async function pollPost(server, sid, body, { path = SIO_PATH, timeoutMs = 5000,
  headers = {} } = {}) {
  try {
    const r = await fetch(pollingUrl(server, { path, sid }), { method: 'POST', body, headers,
      signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, text: await r.text(), headers: r.headers };
  } catch (error) {
    return { status: null, text: '', error };
  }
}

// ---------------------------------------------------------------------------------------------
// socket.io-client

/**
 * A socket.io-client socket to the server's "/" (or `nsp`), forceNew, reconnection off unless
 * given, registered for cleanup. Every received event is logged in `socket.received`
 * ([{event, args, at}]); `waitEvent(socket, name, ...)` waits on that log.
 */
export function client(server, { nsp = '/', ...opts } = {}) {
  const socket = ioClient(`${httpBase(server)}${nsp}`, {
    forceNew: true,
    reconnection: false,
    timeout: 5000,
    ...opts,
  });
  liveClients.add(socket);
  socket.received = [];
  socket.receivedSignal = new EventEmitter();
  socket.receivedSignal.setMaxListeners(0);
  socket.onAny((event, ...args) => {
    socket.received.push({ event, args, at: Date.now() });
    socket.receivedSignal.emit('event');
  });
  return socket;
}

function onceEmitter(emitter, events, timeoutMs, what) {
  return withTimeout(new Promise((resolve) => {
    const handlers = {};
    for (const ev of events) {
      handlers[ev] = (...args) => {
        for (const [e, h] of Object.entries(handlers)) emitter.off(e, h);
        resolve({ event: ev, args });
      };
      emitter.on(ev, handlers[ev]);
    }
  }), timeoutMs, what);
}

/** Resolves the args of the next `event` on `emitter` (socket, manager or engine). */
export async function once(emitter, event, timeoutMs = 3000) {
  return (await onceEmitter(emitter, [event], timeoutMs, `event "${event}"`)).args;
}

/** Resolves when connected; rejects with the connect_error when refused. */
export async function waitConnected(socket, timeoutMs = 5000) {
  if (socket.connected) return socket;
  const r = await onceEmitter(socket, ['connect', 'connect_error'], timeoutMs, 'connect');
  if (r.event === 'connect_error') {
    const e = r.args[0];
    throw Object.assign(new Error(`connect_error: ${e?.message}`), { cause: e });
  }
  return socket;
}

/** client() + waitConnected(). */
export async function connectedClient(server, opts = {}, timeoutMs = 5000) {
  const s = client(server, opts);
  await waitConnected(s, timeoutMs);
  return s;
}

/**
 * Waits until `socket.received` holds `count` events named `event` (matching `pred`) from
 * index `from` on; resolves those entries' args arrays.
 */
export function waitEvents(socket, event, { count = 1, pred = () => true, from = 0,
  timeoutMs = 3000 } = {}) {
  const matching = () => socket.received.slice(from)
    .filter((r) => r.event === event && pred(r.args)).map((r) => r.args);
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = matching();
      if (m.length >= count) { done(); resolve(m.slice(0, count)); return true; }
      return false;
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} "${event}" event(s); `
        + `got ${matching().length}; received: ${JSON.stringify(socket.received.map((r) => r.event)
          .slice(-20))}`));
    }, timeoutMs);
    const done = () => { clearTimeout(timer); socket.receivedSignal.off('event', check); };
    if (!check()) socket.receivedSignal.on('event', check);
  });
}

/** The args of the first `event` from index `from` on. */
export async function waitEvent(socket, event, opts = {}) {
  return (await waitEvents(socket, event, { ...opts, count: 1 }))[0];
}

/** Emits with an ack and a timeout; resolves the ack's arguments (an array). */
export function emitAck(socket, timeoutMs, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, ...args, (err, ...reply) => {
      if (err) reject(new Error(`no ack for "${event}" within ${timeoutMs} ms (${err.message})`));
      else resolve(reply);
    });
  });
}

/**
 * With connection state recovery on, every non-volatile event without ack carries the offset
 * as an extra last string argument (as socket.io does). Splits it off: {args, offset}.
 */
export function splitOffset(args) {
  const last = args[args.length - 1];
  if (typeof last !== 'string') {
    throw new Error(`expected a trailing offset argument in ${JSON.stringify(args)}`);
  }
  return { args: args.slice(0, -1), offset: last };
}

/** Recursively turns ArrayBuffers and typed arrays into Buffers (for deepStrictEqual). */
export function toBuffers(v) {
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(toBuffers);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toBuffers(x)]));
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// TCP state (Linux /proc/net/tcp{,6}) — tells whether the server closed a connection even while
// the client does not read it.

const TCP_STATES = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT', '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN',
  '0B': 'CLOSING', '0C': 'NEW_SYN_RECV',
};

/** Every TCP socket of the machine: [{localPort, remotePort, state}]. */
export function tcpSockets() {
  const out = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4) continue;
      const localPort = parseInt(f[1].split(':').pop(), 16);
      const remotePort = parseInt(f[2].split(':').pop(), 16);
      out.push({ localPort, remotePort, state: TCP_STATES[f[3].toUpperCase()] ?? f[3] });
    }
  }
  return out;
}

/**
 * The state of the server's end of the connection serverPort ⇄ clientPort ("ESTABLISHED",
 * "FIN_WAIT1", ...) or null when the server has no such socket any more.
 */
export function serverEndState(serverPort, clientPort) {
  const e = tcpSockets().find((s) => s.localPort === serverPort && s.remotePort === clientPort
    && s.state !== 'LISTEN');
  return e ? e.state : null;
}

/** True when the server's end of that connection is gone or no longer ESTABLISHED. */
export function serverClosed(serverPort, clientPort) {
  const st = serverEndState(serverPort, clientPort);
  return st === null || st !== 'ESTABLISHED';
}

// ---------------------------------------------------------------------------------------------
// Metrics and health

/** hallway_process_resident_memory_bytes from /metrics. */
export async function residentBytes(server) {
  const r = await getMetrics(server);
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  const s = findSamples(parsePrometheusText(r.text), 'hallway_process_resident_memory_bytes');
  if (!s.length) throw new Error('no hallway_process_resident_memory_bytes in /metrics');
  return s[0].value;
}

/**
 * The named metrics from /metrics: {name: value}, the samples of one name summed over their
 * labels. A name missing from /metrics is an error.
 */
export async function readGauges(server, names) {
  const r = await getMetrics(server);
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  const parsed = parsePrometheusText(r.text);
  return Object.fromEntries(names.map((name) => {
    const s = findSamples(parsed, name);
    if (!s.length) throw new Error(`no ${name} in /metrics`);
    return [name, s.reduce((n, x) => n + x.value, 0)];
  }));
}

/** The status of GET /healthz. */
export async function healthStatus(server) {
  return (await get(server, '/healthz')).status;
}

/** Polls `cond()` every `intervalMs` until it is true (→ true) or timeoutMs passes (→ false). */
export async function pollUntil(cond, timeoutMs, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export { sleep };
