// A chat survives the network: a blip (the page's WebSocket closed by the test and kept down for a
// while) loses no message and duplicates none, with the "Reconnecting…" indicator shown while
// down; a reloaded page returns to its chat.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { scene } from './lib/browser.mjs';
import { containsText, count, hasText, poll, visible } from './lib/expect.mjs';
import { matchedPair } from './lib/flows.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { STATUS } from './lib/pages.mjs';

let server;
let browser;
e2eSuite(undefined, (s, b) => { server = s; browser = b; });

/**
 * Puts the page's realtime traffic behind a switch (the client uses the WebSocket transport only):
 * while `down`, every WebSocket to /socket.io/ is closed as soon as it opens; `cut()` closes the
 * live ones (both sides), `restore()` lets new ones through to the server.
 */
async function networkSwitch(page) {
  const live = new Set();
  const state = { down: false, opened: 0, refused: 0 };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (state.down) {
      state.refused += 1;
      ws.close();
      return;
    }
    state.opened += 1;
    const server = ws.connectToServer();
    const pair = { ws, server };
    live.add(pair);
    ws.onClose(() => { live.delete(pair); server.close(); });
    server.onClose(() => { live.delete(pair); ws.close(); });
  });
  return {
    state,
    cut() {
      state.down = true;
      for (const { ws, server } of live) {
        ws.close();
        server.close();
      }
      live.clear();
    },
    restore() { state.down = false; },
  };
}

/** Every listitem text of a log, in order. */
const texts = async (chat) => (await chat.items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

test('a network blip: the indicator shows, every message arrives exactly once on both sides', async () => {
  let net;
  await scene(browser, server, async (open) => {
    const { A, B } = await matchedPair(open, {
      setup: async ({ sa: s }) => { net = await networkSwitch(s.page); },
    });
    await A.chat.send('before the blip');
    await B.chat.theirMessage('before the blip').waitFor();
    const openedBefore = net.state.opened;
    net.cut();
    await hasText(A.chat.connection, 'Reconnecting…', { message: 'the connection indicator on A' });
    await containsText(B.chat.status, STATUS.partnerReconnecting);

    // Messages while A is down, from both sides.
    await A.chat.send('A while down 1');
    await B.chat.send('B while down 1');
    await A.chat.send('A while down 2');
    await B.chat.send('B while down 2');

    net.restore();
    await poll(async () => {
      const t = (await A.chat.connection.innerText().catch(() => '')).trim();
      return t === '' || !(await A.chat.connection.isVisible());
    }, { message: 'the "Reconnecting…" indicator to go', timeout: 30000 });
    assert.ok(net.state.opened > openedBefore, 'A reconnected through the switch');

    await A.chat.send('A after');
    await B.chat.send('B after');
    // Barriers: each side's last message; once it is in, everything sent before it is too.
    await A.chat.send('A barrier');
    await B.chat.send('B barrier');
    await visible(B.chat.theirMessage('A barrier'), { timeout: 30000 });
    await visible(A.chat.theirMessage('B barrier'), { timeout: 30000 });

    const fromA = ['before the blip', 'A while down 1', 'A while down 2', 'A after', 'A barrier'];
    const fromB = ['B while down 1', 'B while down 2', 'B after', 'B barrier'];
    for (const t of fromA) {
      await count(A.chat.myMessage(t), 1, { message: `A's own "${t}" once` });
      await count(B.chat.theirMessage(t), 1, { message: `"${t}" once at B` });
    }
    for (const t of fromB) {
      await count(B.chat.myMessage(t), 1, { message: `B's own "${t}" once` });
      await count(A.chat.theirMessage(t), 1, { message: `"${t}" once at A` });
    }
    await count(A.chat.items, fromA.length + fromB.length);
    await count(B.chat.items, fromA.length + fromB.length);
    // Nothing is left failed or unsent.
    for (const chat of [A.chat, B.chat]) {
      await poll(async () => {
        const statuses = await chat.mine.evaluateAll((els) => els.map((e) => e.dataset.status));
        return statuses.every((s) => s === 'delivered' || s === 'read') || undefined;
      }, { message: 'every own message delivered or read' });
    }
    // A's order: its own messages in the order sent.
    const aTexts = (await texts(A.chat)).filter((t) => fromA.some((m) => t.includes(m)));
    assert.deepEqual(aTexts.map((t) => fromA.find((m) => t.includes(m))), fromA);
    await poll(async () => !(await B.chat.status.innerText()).includes(STATUS.partnerReconnecting),
      { message: `B's status to leave "${STATUS.partnerReconnecting}"` });
  });
});

test('a reloaded page returns to its chat', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    await A.chat.send('before reload');
    await B.chat.theirMessage('before reload').waitFor();
    await sa.page.reload();
    await visible(A.chat.status);
    await A.chat.waitMatched();
    await A.chat.send('after reload from A');
    await visible(B.chat.theirMessage('after reload from A'));
    await B.chat.send('after reload from B');
    await visible(A.chat.theirMessage('after reload from B'));
    await count(B.chat.theirMessage('after reload from A'), 1);
    assert.ok(!(await B.chat.status.innerText()).includes(STATUS.partnerLeft), 'B was not left');
  });
});
