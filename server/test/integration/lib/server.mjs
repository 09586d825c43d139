// Test harness for the Hallway server binary: starting/stopping servers, raw TCP exchanges,
// a small HTTP/1.1 response parser, an HTTP(S) client helper and the web-root fixture.
//
// Every process, socket and temporary directory created here is tracked; call `cleanupAll()`
// from an `after` hook (each test file runs in its own process, so the registries are per file).

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const HOST = '127.0.0.1';
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

/** The binary under test: $HALLWAY_BIN, else build/asan (falling back to build/debug). */
export function binaryPath() {
  if (process.env.HALLWAY_BIN) return path.resolve(process.env.HALLWAY_BIN);
  const asan = path.join(REPO_ROOT, 'build/asan/server/hallway');
  const debug = path.join(REPO_ROOT, 'build/debug/server/hallway');
  if (!fs.existsSync(asan) && fs.existsSync(debug)) return debug;
  return asan;
}

/**
 * The realtime tests' server (test_server.cpp: hallway's wiring plus test namespaces):
 * $HALLWAY_TEST_SERVER_BIN, else build/asan/server/test/hallway-test-server (falling back to
 * build/debug when only that exists).
 */
export function testServerBinaryPath() {
  if (process.env.HALLWAY_TEST_SERVER_BIN) return path.resolve(process.env.HALLWAY_TEST_SERVER_BIN);
  const asan = path.join(REPO_ROOT, 'build/asan/server/test/hallway-test-server');
  const debug = path.join(REPO_ROOT, 'build/debug/server/test/hallway-test-server');
  if (!fs.existsSync(asan) && fs.existsSync(debug)) return debug;
  return asan;
}

function assertBinary(bin) {
  if (!fs.existsSync(bin)) {
    throw new Error(`server binary not found at ${bin}; build it or set HALLWAY_BIN `
      + '(HALLWAY_TEST_SERVER_BIN for the realtime test server)');
  }
}

// ---------------------------------------------------------------------------------------------
// Registries and cleanup

const liveProcs = new Set();
const liveSockets = new Set();
const tempDirs = new Set();

/** Kills every server still running (SIGKILL) and destroys every raw socket. */
export function killAll() {
  for (const s of liveSockets) s.destroy();
  liveSockets.clear();
  for (const p of liveProcs) {
    if (p.exitCode === null && p.signalCode === null) {
      try { p.kill('SIGKILL'); } catch { /* already gone */ }
    }
  }
  liveProcs.clear();
}

/** killAll() and removes every temporary directory made by this module. */
export async function cleanupAll() {
  const procs = [...liveProcs];
  killAll();
  await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null
    ? new Promise((r) => { p.once('exit', r); setTimeout(r, 2000).unref(); })
    : null)));
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', () => {
  for (const p of liveProcs) {
    try { p.kill('SIGKILL'); } catch { /* ignore */ }
  }
  for (const d of tempDirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ }
  }
});

/** A fresh temporary directory, removed by cleanupAll(). */
export function tempDir(prefix = 'hallway-it-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The environment for the child: ours without any HALLWAY_* variable, plus `extra`. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HALLWAY_')) env[k] = v;
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// Running the binary

/**
 * Runs the binary to completion (for --help, --version and startup errors).
 * Resolves {code, signal, stdout, stderr, timedOut}. A process still running after
 * `timeoutMs` is killed and reported with timedOut: true.
 */
export function runBinary(args, { env = {}, timeoutMs = 8000, cwd, bin: binOpt } = {}) {
  const bin = binOpt ?? binaryPath();
  assertBinary(bin);
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { env: childEnv(env), cwd: cwd ?? tempDir('hallway-cwd-'),
      stdio: ['ignore', 'pipe', 'pipe'] });
    liveProcs.add(proc);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; proc.kill('SIGKILL'); }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); liveProcs.delete(proc); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      liveProcs.delete(proc);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * `--threads $HALLWAY_TEST_THREADS` when that is set and `args` do not choose: the TSan stage of
 * scripts/test.sh runs the suites with several I/O threads so that races can show.
 */
function threadArgs(args) {
  const n = process.env.HALLWAY_TEST_THREADS;
  if (!n || args.some((a) => a === '--threads' || a.startsWith('--threads='))) return [];
  return ['--threads', n];
}

/**
 * Starts a server on 127.0.0.1, port 0, JSON logs. Resolves once the "listening" log line
 * appears.
 *
 * Options: args (extra CLI args), env (extra environment; inherited HALLWAY_* are removed),
 * webRoot (default: a fresh fixture from makeWebRoot()), dataDir (default: fresh temp dir),
 * logLevel (default "debug"), startTimeoutMs (default 15000), bin (the executable to start;
 * default binaryPath(), e.g. testServerBinaryPath() for the realtime test server).
 *
 * The ops listener is started on a free port (--ops-listen 127.0.0.1:0) and learnt from its
 * "ops_listening" log line: `opsPort`, `opsUrl` (null when args disabled it).
 *
 * Returns {port, url, tls, opsPort, opsUrl, proc, logs, badLines, stdoutLines, stderr(), waitForLog, stop,
 * waitExit, exited, dataDir, webRoot, fixture, listening, args, bin}.
 */
export async function startServer({ args = [], env = {}, webRoot, dataDir, logLevel = 'debug',
  startTimeoutMs = 15000, bin: binOpt } = {}) {
  const bin = binOpt ?? binaryPath();
  assertBinary(bin);
  let fixture = null;
  if (webRoot === undefined) {
    fixture = makeWebRoot();
    webRoot = fixture.root;
  }
  dataDir = dataDir ?? tempDir('hallway-data-');
  // The ops listener (/metrics) on a free port too; `args` may override it (the last flag wins).
  const fullArgs = ['--host', HOST, '--port', '0', '--log-format', 'json', '--log-level', logLevel,
    '--data-dir', dataDir, '--web-root', webRoot, '--ops-listen', `${HOST}:0`, ...threadArgs(args),
    ...args];
  const proc = spawn(bin, fullArgs, { env: childEnv(env), cwd: tempDir('hallway-cwd-'),
    stdio: ['ignore', 'pipe', 'pipe'] });
  liveProcs.add(proc);

  const logs = [];
  const badLines = [];
  const stdoutLines = [];
  let stderr = '';
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let exitInfo = null;

  proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const rl = readline.createInterface({ input: proc.stdout, crlfDelay: Infinity });
  rl.on('line', (line) => {
    stdoutLines.push(line);
    if (line.trim() === '') return;
    let obj;
    try {
      obj = JSON.parse(line);
    } catch {
      badLines.push(line);
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      badLines.push(line);
      return;
    }
    Object.defineProperty(obj, '__raw', { value: line, enumerable: false });
    logs.push(obj);
    events.emit('log', obj);
  });

  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      liveProcs.delete(proc);
      events.emit('exit', exitInfo);
      resolve(exitInfo);
    });
  });
  proc.on('error', (e) => { stderr += `\nspawn error: ${e.message}`; });

  function waitForLog(predicate, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const found = logs.find((l) => predicate(l));
      if (found) { resolve(found); return; }
      const onLog = (l) => {
        if (predicate(l)) { cleanup(); resolve(l); }
      };
      const onExit = () => {
        // Give readline a moment to flush the last lines.
        setTimeout(() => {
          const f = logs.find((l) => predicate(l));
          cleanup();
          if (f) resolve(f);
          else reject(new Error(`process exited before the expected log line\nstderr:\n${stderr}`));
        }, 100);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line; last lines:\n`
          + stdoutLines.slice(-10).join('\n')));
      }, timeoutMs);
      function cleanup() {
        clearTimeout(timer);
        events.off('log', onLog);
        events.off('exit', onExit);
      }
      events.on('log', onLog);
      if (exitInfo) onExit(); else events.on('exit', onExit);
    });
  }

  /** Resolves {code, signal} when the process exits; rejects after timeoutMs. */
  function waitExit(timeoutMs = 10000) {
    if (exitInfo) return Promise.resolve({ code: exitInfo.code, signal: exitInfo.signal });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms`
        + `\nlast stdout lines:\n${stdoutLines.slice(-15).join('\n')}\nstderr:\n${stderr}`)),
      timeoutMs);
      exited.then((e) => { clearTimeout(timer); resolve({ code: e.code, signal: e.signal }); });
    });
  }

  /** Sends `signal` and resolves {code, signal} on exit (SIGKILL after timeoutMs). */
  async function stop(signal = 'SIGTERM', timeoutMs = 10000) {
    if (!exitInfo) {
      try { proc.kill(signal); } catch { /* gone */ }
      try {
        return await waitExit(timeoutMs);
      } catch {
        proc.kill('SIGKILL');
      }
    }
    const e = await exited;
    return { code: e.code, signal: e.signal };
  }

  let listening;
  try {
    listening = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`server did not log "listening" within ${startTimeoutMs} ms\n`
          + `args: ${fullArgs.join(' ')}\nstdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`));
      }, startTimeoutMs);
      waitForLog((l) => l.msg === 'listening', startTimeoutMs + 1000).then(
        (l) => { clearTimeout(timer); resolve(l); },
        () => {
          clearTimeout(timer);
          exited.then((e) => reject(new Error(
            `server exited (code ${e.code}, signal ${e.signal}) before listening\n`
            + `args: ${fullArgs.join(' ')}\nstdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`)));
          if (exitInfo === null) proc.kill('SIGKILL');
        },
      );
    });
  } catch (e) {
    liveProcs.delete(proc);
    throw e;
  }
  if (typeof listening.port !== 'number' || listening.port <= 0) {
    proc.kill('SIGKILL');
    throw new Error(`"listening" line has no usable port: ${listening.__raw}`);
  }
  const tls = listening.tls === true;
  // Logged before "listening" when the ops listener is on.
  const opsLine = logs.find((l) => l.msg === 'ops_listening');
  return {
    port: listening.port,
    tls,
    url: `${tls ? 'https' : 'http'}://${HOST}:${listening.port}`,
    opsPort: opsLine?.port ?? null,
    opsUrl: opsLine ? `http://${HOST}:${opsLine.port}` : null,
    listening,
    proc,
    logs,
    badLines,
    stdoutLines,
    stderr: () => stderr,
    waitForLog,
    waitExit,
    exited,
    stop,
    dataDir,
    webRoot,
    fixture,
    args: fullArgs,
    bin,
  };
}

// ---------------------------------------------------------------------------------------------
// Raw TCP

/**
 * Opens a TCP connection, writes `bytes` (string → latin1, or Buffer) and collects everything
 * until the server closes the connection, an error occurs or `timeoutMs` passes.
 * Resolves {text (latin1), buffer, closed (server closed/reset), timedOut, error, elapsedMs}.
 */
export function rawExchange(port, bytes, { timeoutMs = 3000, host = HOST } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let done = false;
    const socket = net.connect({ port, host });
    liveSockets.add(socket);
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      liveSockets.delete(socket);
      socket.destroy();
      const buffer = Buffer.concat(chunks);
      resolve({ text: buffer.toString('latin1'), buffer, elapsedMs: Date.now() - started,
        closed: false, timedOut: false, error: null, ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    socket.on('connect', () => {
      socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => finish({ closed: true }));
    socket.on('close', () => finish({ closed: true }));
    socket.on('error', (e) => finish({ closed: true, error: e }));
  });
}

/** rawExchange(...).text: the response text (latin1) received until close or timeout. */
export async function rawRequest(port, bytes, opts = {}) {
  return (await rawExchange(port, bytes, opts)).text;
}

/** A kept-open raw connection for keep-alive, pipelining, limit and shutdown tests. */
export class RawConn {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.closedAt = null;
    this._ev = new EventEmitter();
    this._ev.setMaxListeners(0);
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this._ev.emit('change'); });
    const onClose = () => {
      if (!this.closed) { this.closed = true; this.closedAt = Date.now(); }
      liveSockets.delete(socket);
      this._ev.emit('change');
    };
    socket.on('end', onClose);
    socket.on('close', onClose);
    socket.on('error', (e) => { this.error = e; onClose(); });
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port, { host = HOST, timeoutMs = 3000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      liveSockets.add(socket);
      socket.setNoDelay(true);
      const timer = setTimeout(() => { socket.destroy(); reject(new Error('connect timeout')); },
        timeoutMs);
      socket.once('connect', () => { clearTimeout(timer); resolve(new RawConn(socket)); });
      socket.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  get text() { return this.buf.toString('latin1'); }

  write(data) {
    return new Promise((resolve, reject) => {
      if (this.closed) { reject(new Error('write on a closed connection')); return; }
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data,
        (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Resolves true as soon as `cond()` holds (checked on every data/close event), false on timeout. */
  waitFor(cond, timeoutMs) {
    return new Promise((resolve) => {
      if (cond()) { resolve(true); return; }
      const onChange = () => { if (cond()) { done(); resolve(true); } };
      const timer = setTimeout(() => { done(); resolve(cond()); }, timeoutMs);
      const done = () => { clearTimeout(timer); this._ev.off('change', onChange); };
      this._ev.on('change', onChange);
    });
  }

  /**
   * Waits for one complete response and removes it from the buffer. Throws on timeout or when
   * the connection closes before a complete response arrives. `head`: a response to HEAD.
   */
  async readResponse({ timeoutMs = 3000, head = false } = {}) {
    let parsed = null;
    const ok = await this.waitFor(() => {
      parsed = tryParseResponse(this.buf, { head, eof: this.closed });
      return parsed !== null || this.closed;
    }, timeoutMs);
    if (!parsed) {
      parsed = tryParseResponse(this.buf, { head, eof: this.closed });
    }
    if (!parsed) {
      throw new Error(`${ok ? 'connection closed' : `timed out after ${timeoutMs} ms`} before a `
        + `complete response; received: ${JSON.stringify(this.text.slice(0, 500))}`);
    }
    this.buf = this.buf.subarray(parsed.consumed);
    return parsed.response;
  }

  /** Resolves true when the server has closed the connection within timeoutMs. */
  waitClose(timeoutMs = 3000) { return this.waitFor(() => this.closed, timeoutMs); }

  /** Half-closes our side (FIN). */
  end() { this.socket.end(); }

  destroy() { this.socket.destroy(); liveSockets.delete(this.socket); }
}

export const openRaw = (port, opts) => RawConn.open(port, opts);

/** Builds a request string: request line, Host, the given headers, blank line, body. */
export function buildRequest(method, target, headers = {}, body = '') {
  const lines = [`${method} ${target} HTTP/1.1`];
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'host')) lines.push(`Host: ${HOST}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 response parsing

/**
 * Tries to parse one HTTP/1.1 response at the start of `input` (Buffer or latin1 string).
 * Returns {response, consumed} or null when incomplete. `head`: the request was HEAD.
 * `eof`: the connection is closed (a body without length then runs to the end).
 * response: {version, status, reason, headers (lower-cased names; repeats joined by ", "),
 * headerList ([name, value] as sent), bodyBuffer, body (latin1), text (utf8), raw}.
 */
export function tryParseResponse(input, { head = false, eof = false } = {}) {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const headText = buf.subarray(0, end).toString('latin1');
  const lines = headText.split('\r\n');
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new Error(`malformed status line: ${JSON.stringify(lines[0])}`);
  const status = Number(m[2]);
  const headers = {};
  const headerList = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    headerList.push([name, value]);
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  let pos = end + 4;
  let bodyBuffer;
  const noBody = head || (status >= 100 && status < 200) || status === 204 || status === 304;
  if (noBody) {
    bodyBuffer = Buffer.alloc(0);
  } else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const parts = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0], 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      pos = lineEnd + 2;
      if (size === 0) {
        // Trailers, then an empty line.
        for (;;) {
          const tEnd = buf.indexOf('\r\n', pos);
          if (tEnd < 0) return null;
          const empty = tEnd === pos;
          pos = tEnd + 2;
          if (empty) break;
        }
        break;
      }
      if (buf.length < pos + size + 2) return null;
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    bodyBuffer = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length'].split(',')[0].trim());
    if (!Number.isInteger(len) || len < 0) throw new Error(`bad Content-Length ${headers['content-length']}`);
    if (buf.length < pos + len) return null;
    bodyBuffer = buf.subarray(pos, pos + len);
    pos += len;
  } else {
    if (!eof) return null;
    bodyBuffer = buf.subarray(pos);
    pos = buf.length;
  }
  return {
    consumed: pos,
    response: {
      version: m[1],
      status,
      reason: m[3] ?? '',
      headers,
      headerList,
      bodyBuffer: Buffer.from(bodyBuffer),
      body: bodyBuffer.toString('latin1'),
      text: bodyBuffer.toString('utf8'),
      raw: buf.subarray(0, pos).toString('latin1'),
    },
  };
}

/**
 * Parses one complete response from raw text (as returned by rawRequest, i.e. everything the
 * server sent before closing). Throws when there is no complete response.
 */
export function parseResponse(input, { head = false, eof = true } = {}) {
  const r = tryParseResponse(input, { head, eof });
  if (!r) {
    const s = typeof input === 'string' ? input : input.toString('latin1');
    throw new Error(`incomplete HTTP response: ${JSON.stringify(s.slice(0, 300))}`);
  }
  return r.response;
}

/** Parses every complete response in `input`, in order (pipelining). */
export function parseResponses(input, { eof = true } = {}) {
  let buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const out = [];
  while (buf.length > 0) {
    const r = tryParseResponse(buf, { eof });
    if (!r) break;
    out.push(r.response);
    buf = buf.subarray(r.consumed);
  }
  return out;
}

/** The status code of the first response in raw text, or null when there is no status line. */
export function statusOf(text) {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(text);
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// HTTP(S) client

/**
 * One request with node's http/https client (no agent, no keep-alive, no decompression).
 * `target`: a server object from startServer() plus `path`, or a full URL string.
 * Resolves {status, headers, body (Buffer), text}.
 */
export function request(target, { path: reqPath = '/', method = 'GET', headers = {}, body,
  timeoutMs = 5000, rejectUnauthorized = false } = {}) {
  const url = new URL(typeof target === 'string' ? target : `${target.url}${reqPath}`);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      agent: false,
      rejectUnauthorized,
      servername: url.protocol === 'https:' ? 'localhost' : undefined,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    const timer = setTimeout(() => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)),
      timeoutMs);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** GET shorthand: get(server, '/path', {headers}). */
export const get = (server, p, opts = {}) => request(server, { ...opts, path: p, method: 'GET' });

/**
 * GET /metrics where the server serves it: its ops listener (`server.opsUrl`) when it has one,
 * else its main port. Every test reads metrics through this, never with get(server, '/metrics').
 */
export const getMetrics = (server, opts = {}) => request(server.opsUrl
  ? `${server.opsUrl}/metrics` : server, { ...opts, path: '/metrics', method: 'GET' });

// ---------------------------------------------------------------------------------------------
// Web-root fixture

function textOfSize(prefix, bytes) {
  const lines = [prefix];
  let n = prefix.length;
  for (let i = 0; n < bytes; i += 1) {
    const line = `// line ${i}: the quick brown fox jumps over the lazy dog ${i * 7919 % 1000}`;
    lines.push(line);
    n += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

// A valid 1x1 PNG followed by every byte value (binary-safe transfer check).
const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
  + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

/**
 * Creates a temporary web root:
 *   base/root/{index.html, app.js (~6 KiB), style.css, _next/static/chunks/main-abc123.js,
 *              about.html, docs/index.html, logo.png, big.txt (+ .gz/.br siblings),
 *              escape -> base/outside (symlink), inside.txt -> app.js (symlink)}
 *   base/secret.txt, base/outside/secret.txt (content: fixture.secret)
 * Options: empty (only the directory, nothing in it).
 * Returns {base, root, outside, secret, files: {relative path: Buffer}, gz, br}.
 */
export function makeWebRoot({ empty = false } = {}) {
  const base = tempDir('hallway-web-');
  const root = path.join(base, 'root');
  fs.mkdirSync(root);
  const secret = `TOP-SECRET-${Math.random().toString(36).slice(2)}-DO-NOT-SERVE`;
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${secret}\n`);
  fs.writeFileSync(path.join(base, 'secret.txt'), `${secret}\n`);
  if (empty) return { base, root, outside, secret, files: {} };

  const files = {
    'index.html': Buffer.from('<!doctype html>\n<html><head><title>Fixture index</title></head>'
      + '<body><div id="app">FIXTURE-INDEX</div><script src="/app.js"></script></body></html>\n'),
    'app.js': Buffer.from(textOfSize('/* FIXTURE-APP-JS */ console.log("hallway fixture");', 6000)),
    'style.css': Buffer.from('/* FIXTURE-STYLE */\nbody { margin: 0; font-family: sans-serif; }\n'),
    '_next/static/chunks/main-abc123.js': Buffer.from('/* FIXTURE-NEXT-CHUNK */ self.x = 1;\n'),
    'about.html': Buffer.from('<!doctype html><html><body>FIXTURE-ABOUT</body></html>\n'),
    'docs/index.html': Buffer.from('<!doctype html><html><body>FIXTURE-DOCS</body></html>\n'),
    'logo.png': Buffer.concat([PNG_1X1, Buffer.from(Array.from({ length: 256 }, (_, i) => i))]),
    'big.txt': Buffer.from(textOfSize('FIXTURE-BIG-TXT', 8000)),
  };
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  // Precompressed siblings. They are made slightly different from what an on-the-fly
  // compressor would produce (gzip header mtime/OS fields, brotli quality), so tests can check
  // that the sibling itself was served byte for byte.
  const gz = zlib.gzipSync(files['big.txt'], { level: 1 });
  gz.writeUInt32LE(0x5eed5eed, 4); // MTIME
  const br = zlib.brotliCompressSync(files['big.txt'], {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3 },
  });
  fs.writeFileSync(path.join(root, 'big.txt.gz'), gz);
  fs.writeFileSync(path.join(root, 'big.txt.br'), br);
  fs.symlinkSync(outside, path.join(root, 'escape'));
  fs.symlinkSync('app.js', path.join(root, 'inside.txt'));
  return { base, root, outside, secret, files, gz, br };
}

// ---------------------------------------------------------------------------------------------
// Small request helpers shared by the limit tests

/**
 * Sends a POST with `Content-Length: contentLength` and `body` (default: none, i.e. only the
 * headers) and collects what comes back within timeoutMs. Resolves rawExchange()'s result plus
 * `status` (null when nothing arrived).
 */
export async function postWithLength(port, contentLength, { body = '', target = '/',
  timeoutMs = 2000, extraHeaders = {} } = {}) {
  const req = buildRequest('POST', target, { 'Content-Type': 'application/octet-stream',
    'Content-Length': String(contentLength), Connection: 'close', ...extraHeaders }, body);
  const r = await rawExchange(port, req, { timeoutMs });
  return { ...r, status: statusOf(r.text) };
}

/** A GET / whose headers total about `headerBytes` bytes (one big X-Filler header). */
export async function getWithHeaderBytes(port, headerBytes, { timeoutMs = 2000 } = {}) {
  const base = buildRequest('GET', '/', { Connection: 'close', 'X-Filler': '' });
  const filler = 'f'.repeat(Math.max(0, headerBytes - base.length));
  const req = buildRequest('GET', '/', { Connection: 'close', 'X-Filler': filler });
  const r = await rawExchange(port, req, { timeoutMs });
  return { ...r, status: statusOf(r.text), sentBytes: req.length };
}
