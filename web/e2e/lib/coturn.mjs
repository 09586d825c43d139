// A real coturn (Debian's `coturn`, installed by scripts/bootstrap.sh --test) for relay-only
// browser calls: TURN REST credentials (use-auth-secret) as hallway's --turn-secret makes them,
// UDP and TCP on 127.0.0.1, loopback peers allowed (tests only), no CLI, no TLS. Started inside
// the calls' network namespace when there is one (`wrap`), so the browser reaches it on loopback.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

/** The turnserver binary, or null when coturn is not installed. */
export function turnserverPath() {
  const r = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Starts coturn. `wrap(bin, name)` (lib/netns.mjs) runs it in the namespace. Resolves
 * {port, secret, urls (for hallway's --turn-urls), lines, stop()}.
 */
export async function startCoturn({ wrap } = {}) {
  const bin = turnserverPath();
  if (!bin) throw new Error('turnserver not found: install coturn (scripts/bootstrap.sh --test)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallway-coturn-'));
  const secret = crypto.randomBytes(16).toString('hex');
  // A random port: another test run may have a coturn of its own on the normal loopback.
  const port = 20000 + crypto.randomInt(0, 20000);
  const conf = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(conf, [
    'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${port}`,
    `min-port=${port + 1}`, `max-port=${port + 400}`,
    'use-auth-secret', `static-auth-secret=${secret}`, 'realm=hallway.test',
    'allow-loopback-peers', 'no-cli', 'no-tls', 'no-dtls', 'no-multicast-peers', 'fingerprint',
    `pidfile=${path.join(dir, 'turnserver.pid')}`, `userdb=${path.join(dir, 'turndb')}`,
    'log-file=stdout', 'simple-log', 'no-software-attribute',
  ].join('\n') + '\n');
  const exe = wrap ? wrap(bin, 'turnserver') : bin;
  const proc = spawn(exe, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const rl = readline.createInterface({ input: proc.stdout });
  proc.stderr.setEncoding('utf8').on('data', (d) => lines.push(d));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${lines.join('\n')}`)), 10_000);
    rl.on('line', (l) => {
      lines.push(l);
      // The last step of its start-up: the general servers (listeners and relays) exist.
      if (/Total General servers/.test(l)) { clearTimeout(timer); resolve(); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`coturn exited ${code}:\n${lines.join('\n')}`)); });
  });
  try {
    await ready;
  } catch (e) {
    proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    secret,
    urls: `turn:127.0.0.1:${port}?transport=udp,turn:127.0.0.1:${port}?transport=tcp`,
    lines,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { proc.once('exit', r); setTimeout(() => { proc.kill('SIGKILL'); r(); }, 3000).unref(); });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
