// A real nginx (the Debian package) in front of a Hallway server, configured from the shipped
// deploy/nginx/hallway.conf: only the listen addresses, certificate paths, upstream port and
// temporary paths are rewritten, so the file under test is the file we ship.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { HOST, REPO_ROOT, sleep, tempDir } from './server.mjs';

export const SHIPPED_CONF = path.join(REPO_ROOT, 'deploy/nginx/hallway.conf');

/** The nginx binary, or null when it is not installed. */
export function nginxBinary() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway self-signed certificate for CN=localhost: {cert, key}. */
export function selfSignedCert(dir) {
  const key = path.join(dir, 'proxy-key.pem');
  const cert = path.join(dir, 'proxy-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  return { cert, key };
}

// Replaces exactly `count` occurrences of `from`; throws when the shipped file no longer has
// them (then this harness must follow the file, not silently test something else).
function rewrite(text, from, to, count = 1) {
  const n = text.split(from).length - 1;
  if (n !== count) {
    throw new Error(`deploy/nginx/hallway.conf: expected ${count}× ${JSON.stringify(from)}, found ${n}`);
  }
  return text.split(from).join(to);
}

/** The shipped site config with test ports, certificate and upstream. */
export function testSiteConfig({ tlsPort, httpPort, upstreamPort, cert, key }) {
  let c = fs.readFileSync(SHIPPED_CONF, 'utf8');
  c = rewrite(c, 'server 127.0.0.1:3000;', `server ${HOST}:${upstreamPort};`);
  c = rewrite(c, '    listen 443 ssl;\n', `    listen ${HOST}:${tlsPort} ssl;\n`);
  c = rewrite(c, '    listen [::]:443 ssl;\n', '');
  c = rewrite(c, '    listen 80;\n', `    listen ${HOST}:${httpPort};\n`);
  c = rewrite(c, '    listen [::]:80;\n', '');
  c = rewrite(c, '/etc/ssl/hallway/fullchain.pem', cert);
  c = rewrite(c, '/etc/ssl/hallway/privkey.pem', key);
  return c;
}

/**
 * Starts nginx with the shipped config in front of `upstreamPort`. Resolves
 * {url (https), httpUrl, tlsPort, httpPort, dir, stop(), log()} once it accepts connections.
 */
export async function startNginx({ upstreamPort }) {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (scripts/bootstrap.sh --test installs it)');
  const dir = tempDir('hallway-nginx-');
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    fs.mkdirSync(path.join(dir, d));
  }
  const { cert, key } = selfSignedCert(dir);
  const tlsPort = await freePort();
  const httpPort = await freePort();
  fs.writeFileSync(path.join(dir, 'hallway.conf'),
    testSiteConfig({ tlsPort, httpPort, upstreamPort, cert, key }));
  const main = [
    // As root, workers would switch to "nobody" and could not use the temp paths.
    process.getuid?.() === 0 ? 'user root;' : '',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'worker_processes 1;',
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/client_body;`,
    `  proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`,
    `  scgi_temp_path ${dir}/scgi;`,
    `  include ${dir}/hallway.conf;`,
    '}',
    '',
  ].join('\n');
  const confPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confPath, main);
  const proc = spawn(bin, ['-c', confPath, '-p', dir, '-e', `${dir}/error.log`, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const log = () => {
    let e = '';
    try { e = fs.readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { /* none yet */ }
    return `${output}\n${e}`;
  };
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  };
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } });
  for (let i = 0; i < 200; i += 1) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}):\n${log()}`);
    const up = await new Promise((resolve) => {
      const s = net.connect({ host: HOST, port: tlsPort }, () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (up) {
      return { url: `https://${HOST}:${tlsPort}`, httpUrl: `http://${HOST}:${httpPort}`, tlsPort,
        httpPort, dir, stop, log, proc };
    }
    await sleep(50);
  }
  await stop();
  throw new Error(`nginx did not listen within 10 s:\n${log()}`);
}
