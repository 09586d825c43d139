// Starts the real `hallway` binary ($HALLWAY_BIN, else build/asan, as the integration tests do)
// serving the real static export web/out on 127.0.0.1 with an ephemeral port.
//
// Every browser context of a test comes from 127.0.0.1, so the per-address limits that protect a
// real deployment (guest creation, live guests, Engine.IO sessions and handshakes per address)
// are lifted here as the chat integration tests do (server/test/integration/lib/chat.mjs); the
// limits themselves have their own tests there.

import fs from 'node:fs';
import path from 'node:path';

import { REPO_ROOT, binaryPath, cleanupAll, runBinary, startServer } from
  '../../../server/test/integration/lib/server.mjs';

export { REPO_ROOT, binaryPath, cleanupAll, runBinary };

/** The static export the tests serve: $HALLWAY_WEB_OUT, else web/out (built by `make web`). */
export const WEB_OUT = path.resolve(process.env.HALLWAY_WEB_OUT ?? path.join(REPO_ROOT, 'web/out'));

/**
 * Starts hallway on the export. Options: matchFallback (--match-fallback, default "3s"), flags
 * ({name: value} without "--", merged over the defaults; null removes one), logLevel ("info"),
 * bin (the executable, e.g. a wrapper that runs the binary inside a network namespace).
 * Resolves startServer()'s object (url, port, logs, stop, …) plus `origin`.
 */
export async function startHallway({ matchFallback = '3s', flags = {}, logLevel = 'info', bin } = {}) {
  if (!fs.existsSync(path.join(WEB_OUT, 'index.html'))) {
    throw new Error(`no web export at ${WEB_OUT}: build it with \`make web\``);
  }
  const merged = {
    'match-fallback': matchFallback,
    'guest-create-rate': '100000',
    'max-guests-per-ip': '100000',
    'max-sessions-per-ip': '0',
    'handshake-rate': '1000000/1000000',
    ...flags,
  };
  const args = [];
  for (const [k, v] of Object.entries(merged)) {
    if (v !== null && v !== undefined) args.push(`--${k}`, String(v));
  }
  const server = await startServer({ webRoot: WEB_OUT, logLevel, args, ...(bin ? { bin } : {}) });
  return { ...server, origin: server.url };
}

/**
 * Stops the server with SIGTERM and returns its exit {code, signal}: a clean shutdown is code 0
 * (an ASan/UBSan report at exit makes it non-zero, which the caller asserts).
 */
export async function stopHallway(server) {
  return server.stop('SIGTERM', 15000);
}
