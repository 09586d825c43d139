// A network namespace with only loopback, for browser calls: the server and Chromium run inside
// it (each started through a small wrapper that enters it), so ICE gathers 127.0.0.1 alone and no
// packet can leave the machine whatever a STUN/TURN setting says. The test process stays outside:
// it reads the server's log on stdout and drives Chromium over Playwright's pipe, neither of
// which needs the network.
//
// Root enters a plain `unshare -n` namespace; another user a user+network namespace
// (`unshare -rn`). Where neither works, `open()` resolves null and the caller runs on the normal
// loopback.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const holders = new Set();
process.on('exit', () => {
  for (const p of holders) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Creates the namespace. Resolves {wrap(bin, name), close(), kind} or null when namespaces are
 * not available here (no unshare/nsenter, or the kernel or a container refuses them).
 */
export async function openNetns() {
  const unshare = which('unshare');
  const nsenter = which('nsenter');
  const ip = which('ip') ?? (fs.existsSync('/usr/sbin/ip') ? '/usr/sbin/ip' : null);
  if (!unshare || !nsenter || !ip) return null;
  const root = process.getuid?.() === 0;
  // The holder keeps the namespace alive; it dies with the test process.
  const holder = spawn(unshare, [root ? '-n' : '-rn', '--', 'sleep', '86400'], { stdio: 'ignore' });
  holders.add(holder);
  const failed = await new Promise((resolve) => {
    holder.once('error', () => resolve(true));
    holder.once('exit', () => resolve(true));
    setTimeout(() => resolve(false), 200);
  });
  if (failed) {
    holders.delete(holder);
    return null;
  }
  const enter = [nsenter, '-t', String(holder.pid), ...(root ? [] : ['-U', '--preserve-credentials']), '-n', '--'];
  const up = spawnSync(enter[0], [...enter.slice(1), ip, 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  const check = spawnSync(enter[0], [...enter.slice(1), ip, '-o', 'link'], { encoding: 'utf8' });
  // Only loopback up (a kernel with tunnel modules adds tunl0/sit0 to every namespace, down).
  const links = (check.stdout ?? '').trim().split('\n').filter(Boolean);
  const upLinks = links.filter((l) => /<[^>]*\bUP\b[^>]*>/.test(l)).map((l) => l.split(':')[1]?.trim());
  if (up.status !== 0 || check.status !== 0 || upLinks.join() !== 'lo') {
    holder.kill('SIGKILL');
    holders.delete(holder);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallway-netns-'));
  return {
    kind: root ? 'unshare -n' : 'unshare -rn',
    /** An executable that runs `bin` (same arguments, same pid) inside the namespace. */
    wrap(bin, name = path.basename(bin)) {
      const file = path.join(dir, name);
      const quoted = [...enter, bin].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
      fs.writeFileSync(file, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
      return file;
    },
    close() {
      holder.kill('SIGKILL');
      holders.delete(holder);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
