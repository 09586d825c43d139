// CLI and configuration: --help, --version, bad values, --name=value, HALLWAY_* variables,
// size and duration suffixes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import {
  HOST, REPO_ROOT, cleanupAll, getWithHeaderBytes, openRaw, postWithLength, runBinary,
  startServer, tempDir,
} from './lib/server.mjs';

after(cleanupAll);

const FLAGS = ['host', 'port', 'threads', 'web-root', 'data-dir', 'log-level', 'log-format',
  'tls-cert', 'tls-key', 'allowed-origins', 'max-header-bytes', 'max-body-bytes',
  'request-timeout', 'idle-timeout', 'max-connections', 'max-connections-per-ip',
  'shutdown-grace', 'jwt-secret', 'ip-hash-key'];

/** The part of the help text that documents `--flag` (up to the next documented flag). */
function helpSection(help, flag) {
  const re = new RegExp(`--${flag}(?![a-z-])`);
  const m = re.exec(help);
  if (!m) return null;
  let end = help.length;
  for (const other of FLAGS) {
    if (other === flag) continue;
    const o = new RegExp(`--${other}(?![a-z-])`, 'g');
    o.lastIndex = m.index + 1;
    const n = o.exec(help);
    if (n && n.index > m.index && n.index < end) end = n.index;
  }
  return help.slice(m.index, end);
}

/** Args that make an accidental successful start harmless (loopback, port 0, temp dirs). */
const safeArgs = ({ port = true } = {}) => ['--host', HOST, ...(port ? ['--port', '0'] : []),
  '--data-dir', tempDir(), '--web-root', tempDir()];

describe('--help and --version', { timeout: 20000 }, () => {
  test('--help prints every flag and the documented defaults, exit 0', async () => {
    const r = await runBinary(['--help']);
    assert.equal(r.timedOut, false, 'the process must exit by itself');
    assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
    for (const flag of FLAGS) {
      assert.ok(helpSection(r.stdout, flag) !== null, `--help does not mention --${flag}`);
    }
    const defaults = {
      'max-header-bytes': /\b8\s*KiB\b|\b8192\b/,
      'max-body-bytes': /\b1\s*MiB\b|\b1048576\b/,
      'request-timeout': /\b10\s*s\b|\b10000\s*ms\b/,
      'idle-timeout': /\b60\s*s\b|\b1\s*m\b|\b60000\s*ms\b/,
      'max-connections': /\b10\s*[,'_]?000\b/,
      'max-connections-per-ip': /\b256\b/,
      'shutdown-grace': /\b10\s*s\b|\b10000\s*ms\b/,
    };
    for (const [flag, re] of Object.entries(defaults)) {
      const section = helpSection(r.stdout, flag);
      assert.match(section, re, `default of --${flag} not shown in: ${JSON.stringify(section)}`);
    }
  });

  test('--version prints the project version, exit 0', async () => {
    const cmake = fs.readFileSync(path.join(REPO_ROOT, 'CMakeLists.txt'), 'utf8');
    const version = /project\(\s*hallway\s+VERSION\s+([0-9.]+)/i.exec(cmake)?.[1];
    assert.ok(version, 'project version not found in CMakeLists.txt');
    const r = await runBinary(['--version']);
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
    assert.ok(r.stdout.includes(version), `stdout ${JSON.stringify(r.stdout)} lacks ${version}`);
  });
});

describe('bad values are startup errors naming the setting', { timeout: 60000 }, () => {
  const cases = [
    { name: '--port 70000', args: ['--port', '70000', ...safeArgs({ port: false })], expect: /port/i },
    { name: '--port abc', args: ['--port', 'abc', ...safeArgs({ port: false })], expect: /port/i },
    { name: '--port=abc', args: ['--port=abc', ...safeArgs({ port: false })], expect: /port/i },
    { name: '--threads -1', args: [...safeArgs(), '--threads', '-1'], expect: /threads/i },
    { name: '--log-format xml', args: [...safeArgs(), '--log-format', 'xml'], expect: /log-format/i },
    { name: '--log-level loud', args: [...safeArgs(), '--log-level', 'loud'], expect: /log-level/i },
    { name: '--max-body-bytes 0', args: [...safeArgs(), '--max-body-bytes', '0'], expect: /max-body-bytes/i },
    { name: '--max-header-bytes 12QiB', args: [...safeArgs(), '--max-header-bytes', '12QiB'],
      expect: /max-header-bytes/i },
    { name: '--request-timeout soon', args: [...safeArgs(), '--request-timeout', 'soon'],
      expect: /request-timeout/i },
    { name: 'unknown flag --nope', args: [...safeArgs(), '--nope'], expect: /nope/i },
    { name: 'env HALLWAY_PORT=abc', args: safeArgs({ port: false }), env: { HALLWAY_PORT: 'abc' },
      expect: /port/i },
    { name: 'env HALLWAY_MAX_BODY_BYTES=0', args: safeArgs(), env: { HALLWAY_MAX_BODY_BYTES: '0' },
      expect: /max[-_]body[-_]bytes/i },
  ];
  for (const c of cases) {
    test(c.name, { timeout: 10000 }, async () => {
      const r = await runBinary(c.args, { env: c.env ?? {}, timeoutMs: 6000 });
      assert.equal(r.timedOut, false, `the server started instead of refusing ${c.name}`);
      assert.notEqual(r.code, 0, `exit code must be non-zero (signal ${r.signal})`);
      assert.equal(r.signal, null, `must exit, not crash (signal ${r.signal}); stderr: ${r.stderr}`);
      assert.match(r.stderr, c.expect, `stderr does not name the setting: ${JSON.stringify(r.stderr)}`);
    });
  }
});

describe('--name=value, HALLWAY_NAME and units', { timeout: 30000 }, () => {
  test('--max-body-bytes=1KiB (flag wins over env), HALLWAY_MAX_HEADER_BYTES=2KiB', { timeout: 10000 },
    async () => {
      const s = await startServer({
        args: ['--max-body-bytes=1KiB'],
        env: { HALLWAY_MAX_BODY_BYTES: '10', HALLWAY_MAX_HEADER_BYTES: '2KiB' },
      });
      // 1 KiB = 1024 bytes exactly; the flag beats the environment's 10.
      assert.equal((await postWithLength(s.port, 1025)).status, 413);
      const ok = await postWithLength(s.port, 1024, { body: 'x'.repeat(1024) });
      assert.ok(ok.status !== null && ok.status !== 413, `1024-byte body got ${ok.status}`);
      // Header limit from the environment: 2 KiB.
      assert.equal((await getWithHeaderBytes(s.port, 3000)).status, 431);
      assert.equal((await getWithHeaderBytes(s.port, 1200)).status, 200);
      await s.stop();
    });

  test('--threads 1 and --log-level trace are valid and serve', { timeout: 10000 }, async () => {
    const s = await startServer({ args: ['--threads', '1'], logLevel: 'trace' });
    const r = await postWithLength(s.port, 0, { target: '/healthz' });
    assert.ok(r.status !== null, 'no response');
    const { code } = await s.stop();
    assert.equal(code, 0);
  });

  test('bare sizes are bytes, bare durations are seconds', { timeout: 10000 }, async () => {
    const s = await startServer({ args: ['--max-body-bytes', '100', '--request-timeout', '1'] });
    assert.equal((await postWithLength(s.port, 101)).status, 413);
    const ok = await postWithLength(s.port, 100, { body: 'y'.repeat(100) });
    assert.ok(ok.status !== null && ok.status !== 413, `100-byte body got ${ok.status}`);
    // A stalled request is cut after ~1 s (not 1 ms, not the 10 s default).
    const c = await openRaw(s.port);
    const t0 = Date.now();
    await c.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n`);
    await c.waitFor(() => c.closed || /^HTTP\/1\.1 408/.test(c.text), 3500);
    const elapsed = Date.now() - t0;
    assert.ok(c.closed || /^HTTP\/1\.1 408/.test(c.text), 'stalled request still open after 3.5 s');
    assert.ok(elapsed >= 700, `cut after ${elapsed} ms, before the 1 s timeout`);
    if (c.text.length > 0) assert.match(c.text, /^HTTP\/1\.1 408 /);
    c.destroy();
    await s.stop();
  });

  test('MiB/GiB/ms/m/h suffixes are accepted; default limits are 1 MiB body, 8 KiB headers', { timeout: 10000 },
    async () => {
      const d = await startServer();
      assert.equal((await postWithLength(d.port, 1048577)).status, 413, 'default limit is 1 MiB');
      const waitingD = await postWithLength(d.port, 1048576, { timeoutMs: 500 });
      assert.equal(waitingD.status, null, 'a 1 MiB body is within the default limit');
      // Default header limit: 8 KiB.
      assert.equal((await getWithHeaderBytes(d.port, 10000)).status, 431);
      assert.equal((await getWithHeaderBytes(d.port, 6000)).status, 200);
      await d.stop();
      const m = await startServer({ args: ['--max-body-bytes', '2MiB', '--max-header-bytes', '64KiB',
        '--request-timeout', '1500ms', '--idle-timeout', '2m', '--shutdown-grace', '1h'] });
      assert.equal((await postWithLength(m.port, 2 * 1048576 + 1)).status, 413);
      // Exactly 2 MiB is allowed: the server waits for the body instead of refusing it.
      const waiting = await postWithLength(m.port, 2 * 1048576, { timeoutMs: 500 });
      assert.equal(waiting.status, null, `2 MiB announced body refused: ${waiting.text.slice(0, 80)}`);
      // 20 000 bytes of headers are fine with a 64 KiB header limit.
      assert.equal((await getWithHeaderBytes(m.port, 20000)).status, 200);
      await m.stop();
      const g = await startServer({ args: ['--max-body-bytes', '1GiB'] });
      assert.equal((await postWithLength(g.port, 1073741825)).status, 413);
      const waitingG = await postWithLength(g.port, 3 * 1048576, { timeoutMs: 500 });
      assert.equal(waitingG.status, null, `3 MiB announced body refused under a 1 GiB limit`);
      await g.stop();
    });
});
