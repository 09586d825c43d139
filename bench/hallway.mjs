// Shared by the bench scripts: start a `hallway` binary on free loopback ports (main + ops) and
// read its Prometheus gauges. The per-address and per-guest limits are lifted, since every load
// generator runs from one address.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export const LIFTED_LIMITS = ['--message-rate', '100000/100000', '--match-rate', '100000/100000',
  '--guest-create-rate', '100000', '--max-guests-per-ip', '10000000', '--max-sessions-per-ip', '0',
  '--handshake-rate', '100000/100000', '--max-connections-per-ip', '100000'];

/** Starts `bin` with `args`; resolves {url, opsPort, proc} once both listeners are up. */
export async function startHallway(bin, args) {
  const proc = spawn(bin, ['--port', '0', '--ops-listen', '127.0.0.1:0', '--log-format', 'json',
    '--data-dir', `/tmp/hallway-bench-${process.pid}`, ...LIFTED_LIMITS, ...args],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => proc.kill('SIGKILL'));
  const ports = await new Promise((resolve, reject) => {
    const found = {};
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      try {
        const o = JSON.parse(line);
        if (o.msg === 'ops_listening') found.ops = o.port;
        if (o.msg === 'listening') found.main = o.port;
        if (found.ops && found.main) resolve(found);
      } catch { /* not JSON */ }
    });
    proc.on('exit', () => reject(new Error('hallway exited')));
  });
  return { url: `http://127.0.0.1:${ports.main}`, opsPort: ports.ops, proc };
}

/** Every hallway_* sample of /metrics, summed over labels: {name: value}. */
export async function metrics(opsPort) {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(hallway_[a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}
