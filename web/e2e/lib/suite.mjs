// The fixture every browser suite shares: one hallway (on the real export) and one Chromium for
// the file, started before its tests and stopped after them; the server must exit 0 (an ASan
// report or a crash fails the suite).

import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { cleanupAll, startHallway, stopHallway } from './hallway.mjs';

/**
 * Registers before/after hooks; `use(server, browser)` receives both once they run;
 * `beforeStop` runs first in the after hook (e.g. closing scripted socket.io guests);
 * `browserArgs` are added to Chromium's command line (e.g. FAKE_MEDIA_ARGS).
 */
export function e2eSuite(serverOptions, use, { beforeStop, browserArgs = [] } = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startHallway(serverOptions);
    browser = await launchBrowser(browserArgs);
    use(server, browser);
  });
  after(async () => {
    beforeStop?.();
    await browser?.close();
    if (server) {
      const exit = await stopHallway(server);
      assert.equal(exit.code, 0, `hallway exited ${JSON.stringify(exit)}\n${server.stderr().slice(-3000)}`);
    }
    await cleanupAll();
  });
}
