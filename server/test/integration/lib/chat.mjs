// Helpers for the chat integration tests (docs/protocol.md sections 2 and 3): starting hallway
// with a known JWT secret and fast chat timings, the guest REST API (global fetch), hand-made
// JWTs (node:crypto HMAC-SHA256) for forged tokens, and socket.io-client guests whose every
// event is recorded from before the CONNECT, so nothing is missed between connect and listen.
//
// Every socket made here is tracked: call `cleanupChat()` from an `after` hook (it also runs
// lib/realtime.mjs's cleanupRealtime(): servers, raw sockets, temporary directories), and
// `closeAllGuests()` between tests when a server is shared.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';

import { io as ioClient } from 'socket.io-client';

import { cleanupRealtime } from './realtime.mjs';
import { HOST, sleep, startServer } from './server.mjs';

export { sleep };

/** The --jwt-secret every chat server is started with (≥ 32 chars), so tests can forge tokens. */
export const JWT_SECRET = 'hallway-integration-tests-jwt-secret-0123456789';
export const ISSUER = 'hallway';

/** Message text limit, guest-creation default, etc. (docs/protocol.md). */
export const TEXT_MAX = 1000;

// ---------------------------------------------------------------------------------------------
// Servers

/**
 * Starts hallway for chat tests. `flags` ({name: value}, without "--") override the defaults:
 * a known JWT secret, connection state recovery off (so event arguments arrive exactly as
 * emitted and the application's own reconnect logic is what is tested) and guest creation
 * practically unlimited (rate and live guests per address). `null` as a value removes a default
 * flag. Other options go to startServer() (logLevel defaults to "info": ASan builds are slow at
 * debug level).
 */
export async function startChatServer({ flags = {}, logLevel = 'info', ...opts } = {}) {
  const merged = {
    'jwt-secret': JWT_SECRET,
    'recovery-window': '0',
    'guest-create-rate': '100000',
    // Every test guest comes from 127.0.0.1; the per-address cap has its own test (abuse_proxy).
    'max-guests-per-ip': '100000',
    ...flags,
  };
  const args = [];
  for (const [k, v] of Object.entries(merged)) {
    if (v !== null && v !== undefined) args.push(`--${k}`, String(v));
  }
  return startServer({ ...opts, logLevel, args: [...args, ...(opts.args ?? [])] });
}

/** closeAllGuests() and cleanupRealtime(). */
export async function cleanupChat() {
  closeAllGuests();
  await cleanupRealtime();
}

/** "http://127.0.0.1:port" from a server object or a URL string. */
export const baseUrl = (server) => (typeof server === 'string' ? server.replace(/\/$/, '')
  : `http://${HOST}:${server.port}`);

// ---------------------------------------------------------------------------------------------
// REST

/**
 * A JSON API call. `body`: an object/array (JSON-encoded), a string (sent as is) or undefined
 * (no body). `token` adds "Authorization: Bearer <token>". Resolves {status, headers, text,
 * json (parsed body or undefined)}.
 */
export async function api(url, path, { method = 'GET', body, token, headers = {},
  timeoutMs = 10000 } = {}) {
  const h = { ...headers };
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['content-type'] = 'application/json';
    }
  }
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  const r = await fetch(`${baseUrl(url)}${path}`, { method, headers: h, body: payload,
    signal: AbortSignal.timeout(timeoutMs) });
  const text = await r.text();
  let json;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, text, json };
}

/** POST /api/guest with `body` (undefined: no body at all) → the api() result. */
export function postGuest(url, body, opts = {}) {
  return api(url, '/api/guest', { ...opts, method: 'POST', body });
}

/**
 * POST /api/guest and insists on 201: resolves {token, expiresAt, user} (the response body).
 */
export async function createGuest(url, body = {}) {
  const r = await postGuest(url, body);
  assert.equal(r.status, 201, `POST /api/guest ${JSON.stringify(body)}: HTTP ${r.status} ${r.text}`);
  return r.json;
}

/** GET /api/guest/me with `token` (undefined: no Authorization header). */
export const getMe = (url, token, opts = {}) => api(url, '/api/guest/me', { ...opts, token });

/** POST /api/guest/refresh with `token`. */
export const refresh = (url, token, opts = {}) => api(url, '/api/guest/refresh',
  { ...opts, method: 'POST', token });

/** GET /api/stats → the parsed body (asserts 200). */
export async function restStats(url) {
  const r = await api(url, '/api/stats');
  assert.equal(r.status, 200, `GET /api/stats: HTTP ${r.status} ${r.text}`);
  return r.json;
}

/** Asserts an error response: status, {error:{code, message, field?}}, optional field. */
export function assertApiError(r, status, code, field) {
  assert.equal(r.status, status, `expected HTTP ${status} ${code}, got ${r.status} ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object' && r.json.error, `no error object: ${r.text}`);
  assert.equal(r.json.error.code, code, `error code in ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string', `error.message in ${r.text}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error.field in ${r.text}`);
}

// ---------------------------------------------------------------------------------------------
// JWT (HS256), hand-made

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const b64urlJson = (obj) => b64url(JSON.stringify(obj));

/** Signs `payload` (an object) with HMAC-SHA256; `header` defaults to {alg:'HS256',typ:'JWT'}. */
export function signJwt(payload, { secret = JWT_SECRET, header = { alg: 'HS256', typ: 'JWT' } } = {}) {
  const signingInput = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  const sig = crypto.createHmac('sha256', secret).update(signingInput).digest();
  return `${signingInput}.${b64url(sig)}`;
}

/** {header, payload, signature (Buffer), parts} of a compact JWT. */
export function decodeJwt(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `a JWT has 3 parts: ${token}`);
  return {
    parts,
    header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

/**
 * A well-formed token for guest `sub` signed with JWT_SECRET: iss = aud = "hallway",
 * iat = now, exp = now + 1 h, a random jti; `overrides` replace claims (undefined deletes one).
 */
export function forgeToken(sub, overrides = {}, opts = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, iss: ISSUER, aud: ISSUER, iat: now, exp: now + 3600,
    jti: b64url(crypto.randomBytes(9)), ...overrides };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return signJwt(claims, opts);
}

/** The token with its signature altered (last character of a middle byte flipped). */
export function tamperSignature(token) {
  const [h, p, s] = token.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length >> 1] ^= 0x01;
  return `${h}.${p}.${b64url(sig)}`;
}

/** The token with its payload changed (claims merged) but the original signature kept. */
export function tamperPayload(token, claims) {
  const { parts, payload } = decodeJwt(token);
  return `${parts[0]}.${b64urlJson({ ...payload, ...claims })}.${parts[2]}`;
}

/** An unsigned token ("alg":"none", empty signature) for guest `sub`. */
export function unsignedToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  return `${b64urlJson({ alg: 'none', typ: 'JWT' })}.${b64urlJson({ sub, iss: ISSUER, aud: ISSUER,
    iat: now, exp: now + 3600, jti: 'x' })}.`;
}

// ---------------------------------------------------------------------------------------------
// socket.io-client guests with a buffered event recorder

const liveSockets = new Set();

/** Disconnects every socket made here (reconnection off first). */
export function closeAllGuests() {
  for (const s of liveSockets) {
    try {
      s.io.reconnection(false);
      s.disconnect();
      s.io.engine?.close();
    } catch { /* already gone */ }
  }
  liveSockets.clear();
}

/**
 * A socket.io-client socket to namespace "/" with auth {token} (or opts.auth), not yet
 * connected but already recording: `socket.received` is [{event, args, at}] (the same shape as
 * lib/realtime.mjs's client(), so its waitEvent()/waitEvents() work too); the reserved events
 * are recorded as "$connect", "$connect_error" (args [err]) and "$disconnect" (args [reason]).
 * Defaults: transports ['websocket'], forceNew, reconnection off, connect timeout 5 s.
 */
export function openGuest(url, token, { auth, transports = ['websocket'], ...opts } = {}) {
  const socket = ioClient(`${baseUrl(url)}/`, {
    forceNew: true,
    reconnection: false,
    timeout: 5000,
    transports,
    auth: auth !== undefined ? auth : { token },
    ...opts,
  });
  liveSockets.add(socket);
  socket.received = [];
  socket.receivedSignal = new EventEmitter();
  socket.receivedSignal.setMaxListeners(0);
  const record = (event, args) => {
    socket.received.push({ event, args, at: Date.now() });
    socket.receivedSignal.emit('event');
  };
  socket.onAny((event, ...args) => record(event, args));
  socket.on('connect', () => record('$connect', []));
  socket.on('connect_error', (err) => record('$connect_error', [err]));
  socket.on('disconnect', (reason, details) => record('$disconnect', [reason, details]));
  return socket;
}

/**
 * openGuest() and waits for the connection: resolves the connected socket; rejects with the
 * connect_error (err.message, err.data) when refused.
 */
export async function connectGuest(url, token, opts = {}) {
  const socket = openGuest(url, token, opts);
  const r = await waitFor(socket, (e) => e.event === '$connect' || e.event === '$connect_error',
    { timeoutMs: opts.connectTimeoutMs ?? 8000, what: 'connect' });
  if (r.event === '$connect_error') {
    const err = r.args[0];
    throw Object.assign(new Error(`connect_error: ${err?.message} ${JSON.stringify(err?.data)}`),
      { cause: err, data: err?.data });
  }
  return socket;
}

/** openGuest() expecting a refusal: resolves the connect_error (err.message, err.data). */
export async function refusedConnect(url, token, opts = {}) {
  const socket = openGuest(url, token, opts);
  const r = await waitFor(socket, (e) => e.event === '$connect' || e.event === '$connect_error',
    { timeoutMs: 8000, what: 'connect or connect_error' });
  assert.equal(r.event, '$connect_error', 'the connection was accepted but should be refused');
  return { err: r.args[0], socket };
}

/**
 * Waits for a recorded entry: `match` is an event name or a predicate on {event, args, at};
 * `pred` (optional) filters on the first argument (the payload). Looks from index `from` on
 * (default 0: what was already received counts). Resolves the entry plus `payload` (args[0])
 * and `index`.
 */
export function waitFor(socket, match, { pred = () => true, from = 0, timeoutMs = 5000,
  what } = {}) {
  const test = typeof match === 'function' ? match : (e) => e.event === match;
  const find = () => {
    for (let i = from; i < socket.received.length; i += 1) {
      const e = socket.received[i];
      if (test(e) && pred(e.args[0], e)) return { ...e, payload: e.args[0], index: i };
    }
    return null;
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      const f = find();
      if (f) { done(); resolve(f); }
      return f;
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? (typeof match === 'string'
        ? `"${match}"` : 'an event')}; received: ${JSON.stringify(socket.received.slice(from)
        .map((e) => [e.event, e.event.startsWith('$') ? e.args[0]?.message ?? e.args[0] : e.args[0]])
        .slice(-15))}`));
    }, timeoutMs);
    const done = () => { clearTimeout(timer); socket.receivedSignal.off('event', check); };
    if (!check()) socket.receivedSignal.on('event', check);
  });
}

/** Resolves the payload (first argument) of the first `event` (matching `pred`) from `from` on. */
export async function waitPayload(socket, event, opts = {}) {
  return (await waitFor(socket, event, opts)).payload;
}

/** Every payload (first argument) of `event` received so far, from index `from` on. */
export function payloads(socket, event, from = 0) {
  return socket.received.slice(from).filter((e) => e.event === event).map((e) => e.args[0]);
}

/** Resolves true when `event` (matching pred) arrives within `ms`, else false. */
export async function arrivesWithin(socket, event, ms, opts = {}) {
  try {
    await waitFor(socket, event, { ...opts, timeoutMs: ms });
    return true;
  } catch {
    return false;
  }
}

/**
 * Emits `event` with `payload` (undefined: no payload argument at all) and an ack callback;
 * resolves the ack's first argument. Rejects when no ack comes within timeoutMs.
 */
export function emitAck(socket, event, payload, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const cb = (err, ...reply) => {
      if (err) reject(new Error(`no ack for "${event}" within ${timeoutMs} ms (${err.message})`));
      else resolve(reply[0]);
    };
    if (payload === undefined) socket.timeout(timeoutMs).emit(event, cb);
    else socket.timeout(timeoutMs).emit(event, payload, cb);
  });
}

/** Asserts an ack {ok:false, error:{code, message, ...}} with `code` (and `field` if given). */
export function assertAckError(ack, code, field) {
  assert.ok(ack && typeof ack === 'object', `ack is not an object: ${JSON.stringify(ack)}`);
  assert.equal(ack.ok, false, `expected ok:false (${code}), got ${JSON.stringify(ack)}`);
  assert.ok(ack.error && typeof ack.error === 'object', `no error in ${JSON.stringify(ack)}`);
  assert.equal(ack.error.code, code, `error code in ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error.message, 'string', `error.message in ${JSON.stringify(ack)}`);
  if (field !== undefined) assert.equal(ack.error.field, field, `error.field in ${JSON.stringify(ack)}`);
}

/** Asserts an ack {ok:true, ...}. */
export function assertAckOk(ack, what = '') {
  assert.ok(ack && typeof ack === 'object' && ack.ok === true,
    `expected ok:true${what ? ` for ${what}` : ''}, got ${JSON.stringify(ack)}`);
}

/** A fresh lower-case UUID (v4). */
export const uuid = () => crypto.randomUUID();

/** A unique interest tag (so tests sharing a server never pair across tests). */
export const uniqueTag = (prefix = 't') => `${prefix}${crypto.randomBytes(6).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// Composite helpers

/**
 * Creates a guest over REST and connects it: resolves {token, expiresAt, user, socket, url,
 * established (the connection:established payload)}.
 */
export async function guest(url, body = {}, opts = {}) {
  const g = await createGuest(url, body);
  const socket = await connectGuest(url, g.token, opts);
  const established = await waitPayload(socket, 'connection:established');
  return { ...g, socket, url, established };
}

/**
 * Two fresh guests sharing a unique interest, both matched (mode `mode`): resolves {a, b,
 * ma, mb (their user:matched payloads), roomId, tag}. aOpts/bOpts go to connectGuest().
 */
export async function pairUp(url, { mode = 'text', tag = uniqueTag('pair'), aBody = {},
  bBody = {}, aOpts = {}, bOpts = {} } = {}) {
  const [a, b] = await Promise.all([
    guest(url, { interests: [tag], ...aBody }, aOpts),
    guest(url, { interests: [tag], ...bBody }, bOpts),
  ]);
  const ackA = await emitAck(a.socket, 'user:match', { mode });
  assertAckOk(ackA, 'user:match (a)');
  const ackB = await emitAck(b.socket, 'user:match', { mode });
  assertAckOk(ackB, 'user:match (b)');
  const [ma, mb] = await Promise.all([waitPayload(a.socket, 'user:matched'),
    waitPayload(b.socket, 'user:matched')]);
  assert.equal(ma.roomId, mb.roomId, 'both sides of a pair get the same roomId');
  return { a, b, ma, mb, roomId: ma.roomId, tag, ackA, ackB };
}

/** Sends a text message from `from` and waits for it at `to`: resolves {ack, msg}. */
export async function sendAndReceive(from, to, text = `hello ${uuid()}`) {
  const id = uuid();
  const mark = to.socket.received.length;
  const ack = await emitAck(from.socket, 'chat:message', { id, type: 'text', text });
  assertAckOk(ack, `chat:message ${id}`);
  const msg = await waitPayload(to.socket, 'chat:message', { pred: (p) => p?.id === id, from: mark });
  return { ack, msg, id, text };
}
