// The chat screen's rules: messages are text (no HTML injection, javascript: never a link, http(s)
// URLs are links that open safely and fetch nothing), the composer (Enter, Shift+Enter, the counter
// near 1000, the limit, paste and emoji), Stop, "Auto-find a new stranger", and nothing of a
// conversation kept in the browser's storage.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { scene } from './lib/browser.mjs';
import { count, enabled, hasText, hidden, poll, visible } from './lib/expect.mjs';
import { matchedPair } from './lib/flows.mjs';
import { startHallway, stopHallway } from './lib/hallway.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { STATUS } from './lib/pages.mjs';

let server;
let browser;
e2eSuite(undefined, (s, b) => { server = s; browser = b; });

test('messages are shown as text: no HTML injection, no javascript: link, safe http(s) links', async () => {
  await scene(browser, server, async (open) => {
    const { sa, sb, A, B } = await matchedPair(open);
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>alert(2)</script><b>bold?</b>';
    const jsUrl = 'javascript:alert(document.domain)';
    const mdLink = '[press](javascript:alert(3))';
    for (const text of [img, script, `try ${jsUrl} now`, mdLink]) await B.chat.send(text);
    for (const text of [img, script, jsUrl, mdLink]) {
      const item = A.chat.theirMessage(text);
      await visible(item);
      // The exact characters are on screen, and nothing of them became an element.
      assert.ok((await item.innerText()).includes(text), `"${text}" shown verbatim`);
      assert.equal(await item.locator('img, script, b, a').count(), 0, `"${text}" made no element`);
    }
    assert.equal(await sa.page.locator('img[src="x"]').count(), 0);
    assert.equal(await sa.page.locator('a[href^="javascript:" i]').count(), 0, 'no javascript: link');
    // Own bubbles are rendered the same way.
    assert.equal(await B.chat.myMessage(img).locator('img').count(), 0);

    await B.chat.send('see https://example.org/a?b=1&c=2 and http://example.com/x.');
    const links = A.chat.theirMessage('see https://').getByRole('link');
    await count(links, 2);
    const attrs = await links.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'),
      text: a.textContent, rel: (a.getAttribute('rel') ?? '').split(/\s+/), target: a.getAttribute('target') })));
    assert.deepEqual(attrs.map((a) => a.href), ['https://example.org/a?b=1&c=2', 'http://example.com/x']);
    for (const a of attrs) {
      assert.ok(a.rel.includes('noopener') && a.rel.includes('noreferrer'), `rel of ${a.href}: ${a.rel}`);
      assert.equal(a.target, '_blank', `target of ${a.href}`);
    }
    // No preview was fetched: the guard fails the test on any request to another origin, and on
    // any dialog (an alert from an injected handler) or console error.
  });
});

test('the composer: Enter sends, Shift+Enter breaks the line, the counter and the 1000 limit,'
  + ' paste and emoji', async () => {
  await scene(browser, server, async (open) => {
    const { sa, sb, A, B } = await matchedPair(open);
    await A.chat.composer.click();
    await A.chat.composer.pressSequentially('first line');
    await A.chat.composer.press('Shift+Enter');
    await A.chat.composer.pressSequentially('second line');
    await A.chat.composer.press('Enter');
    const two = B.chat.theirMessage('first line');
    await visible(two);
    assert.match(await two.innerText(), /first line\nsecond line/);
    await poll(async () => (await A.chat.composer.inputValue()) === '' || undefined,
      { message: 'the composer to empty after sending' });

    await A.chat.composer.fill('a'.repeat(899));
    await hidden(A.chat.charCount);
    await A.chat.composer.fill('a'.repeat(900));
    await hasText(A.chat.charCount, '900/1000');
    await A.chat.composer.fill('é'.repeat(1001));
    await hasText(A.chat.charCount, '1001/1000');
    await enabled(A.chat.sendButton, false);
    await A.chat.composer.fill(`${'🙂'.repeat(10)}${'b'.repeat(990)}`); // 1000 code points
    await hasText(A.chat.charCount, '1000/1000');
    await enabled(A.chat.sendButton, true);
    await A.chat.sendButton.click();
    const long = B.chat.theirMessage('🙂🙂🙂');
    await visible(long);
    assert.ok((await long.innerText()).includes(`${'🙂'.repeat(10)}${'b'.repeat(990)}`),
      'all 1000 code points arrive');

    // Paste from the clipboard (with an emoji and a non-BMP character).
    await sa.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await sa.page.evaluate(() => navigator.clipboard.writeText('pasted 🎉👍🏽 𝄞'));
    await A.chat.composer.focus();
    await sa.page.keyboard.press('ControlOrMeta+V');
    await poll(async () => (await A.chat.composer.inputValue()) === 'pasted 🎉👍🏽 𝄞' || undefined,
      { message: 'the pasted text in the composer' });
    await A.chat.composer.press('Enter');
    await visible(B.chat.theirMessage('pasted 🎉👍🏽 𝄞'));
  });
});

test('typing shows after the server refused a typing start (rate limit)', async () => {
  // A server of its own with a typing rate of 1/s, burst 1: every message typed costs a typing
  // start, so a few quick ones are enough to be refused.
  const strict = await startHallway({ flags: { 'typing-rate': '1/1' } });
  try {
    await scene(browser, strict, async (open) => {
      let refusals = 0;
      const { A, B } = await matchedPair(open, {
        setup: async ({ sb }) => {
          sb.page.on('websocket', (ws) => ws.on('framereceived', (f) => {
            if (String(f.payload).includes('"rate_limited"')) refusals += 1;
          }));
        },
      });
      for (let i = 0; refusals === 0; i += 1) {
        assert.ok(i < 20, 'twenty quick messages were not refused a typing start');
        await B.chat.send(`quick ${i}`);
      }
      await B.chat.composer.pressSequentially('and now', { delay: 20 });
      await hasText(A.chat.typing, 'Stranger is typing…');
    });
  } finally {
    await stopHallway(strict);
  }
});

test('Stop returns to the landing; "Auto-find a new stranger" searches again when left;'
  + ' storage holds no message', async () => {
  await scene(browser, server, async (open) => {
    const { sa, sb, A, B } = await matchedPair(open);
    const secret = 'my secret message 4711';
    await A.chat.send(secret);
    await visible(B.chat.theirMessage(secret));
    // B turns auto-find on.
    await B.chat.autoFind.click();
    await poll(async () => (await B.chat.autoFind.getAttribute('aria-checked')) === 'true' || undefined,
      { message: 'the switch to be on' });
    await A.chat.stopButton.click();
    await visible(A.landing.heading);
    await B.searching.waitVisible(); // left, and searching again on its own
    for (const s of [sa, sb]) {
      const stored = await s.page.evaluate(() => JSON.stringify([Object.entries(localStorage),
        Object.entries(sessionStorage)]));
      assert.ok(!stored.includes('secret message'), `${s.name}'s storage holds no message: ${stored}`);
    }
    assert.ok((await B.searching.looking.isVisible()), 'B is searching');
  });
});

test('the chat ends for the one who stays: "Stranger has left.", composer disabled, "New stranger"',
  async () => {
    await scene(browser, server, async (open) => {
      const { sa, sb, A, B } = await matchedPair(open);
      await B.chat.stopButton.click();
      await A.chat.waitStatus(STATUS.partnerLeft);
      await enabled(A.chat.composer, false);
      await visible(A.chat.newStrangerButton);
      await A.chat.newStrangerButton.click();
      await A.searching.waitVisible();
      await A.searching.cancelButton.click();
      await visible(A.landing.heading);
    });
  });
