// The main journey of issue 9 in real Chromium against the real server and export: two
// strangers search (the fallback countdown shows), are matched, write both ways with receipts and
// typing, one presses Esc Esc (New) and is matched with a third, reports them, saves the log; the
// reporter and the reported never meet again while a fourth stranger is matched.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { botLeaves, botMatched, closeAllGuests, searchingBot } from './lib/bots.mjs';
import { closeSessions, scene } from './lib/browser.mjs';
import { containsText, count, enabled, hasAttribute, hasText, poll, visible } from './lib/expect.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { STATUS, screens, setPageHidden } from './lib/pages.mjs';

const FALLBACK_S = 3;
let server;
let browser;
e2eSuite({ matchFallback: `${FALLBACK_S}s` }, (s, b) => { server = s; browser = b; }, { beforeStop: closeAllGuests });

/** "[HH:MM:SS] You: text" / "[HH:MM:SS] Stranger: text" lines of a saved log. */
const logLines = (text) => text.split(/\r?\n/).filter((l) => /^\[\d{2}:\d{2}:\d{2}\] (You|Stranger): /.test(l))
  .map((l) => l.replace(/^\[\d{2}:\d{2}:\d{2}\] /, ''));

test('search with a countdown → chat with receipts and typing → New (Esc Esc) → Report → Save log;'
  + ' the reported pair never meets again', async () => {
  const tag = 'chess';
  await scene(browser, server, async (open) => {
    const sa = await open({ name: 'A' });
    const sb = await open({ name: 'B' });
    const A = screens(sa.page);
    const B = screens(sb.page);

    // A searches alone with an interest: the countdown to the fallback shows and counts down.
    await A.landing.goto();
    await A.landing.start({ interests: [tag] });
    await A.searching.waitVisible();
    const first = await A.searching.countdownSeconds();
    assert.ok(first >= 1 && first <= FALLBACK_S, `countdown starts at ≤ ${FALLBACK_S} s: ${first}`);
    await poll(async () => {
      const t = (await A.searching.countdown.innerText()).trim();
      const n = /^Anyone in (\d+) s$/.exec(t);
      return (n && Number(n[1]) < first) || t === 'Looking for anyone…';
    }, { message: 'the countdown to go down' });

    // B arrives with the same interest: both are matched at once and see it.
    await B.landing.goto();
    await B.landing.start({ interests: [tag] });
    await A.chat.waitMatched({ commonInterests: [tag] });
    await B.chat.waitMatched({ commonInterests: [tag] });

    // A → B while B's tab is in the background: delivered (✓✓) but not read. B's own reply is
    // the barrier: had B sent chat:read on arrival, it would have reached A before the reply.
    await setPageHidden(sb.page, true);
    const hello = 'Hi from A 👋';
    const mine = await A.chat.send(hello);
    await count(mine.locator('time'), 1);
    await visible(B.chat.theirMessage(hello));
    await hasAttribute(mine, 'data-status', 'delivered');
    await containsText(mine, '✓✓');
    const reply = 'Hello A, this is B';
    const bMine = await B.chat.send(reply);
    await visible(A.chat.theirMessage(reply));
    assert.equal(await mine.getAttribute('data-status'), 'delivered',
      'a message is not read while the partner\'s page is hidden');
    // B comes back to the tab: A's message turns Read; B's reply, seen by A, is Read too.
    await setPageHidden(sb.page, false);
    await hasAttribute(mine, 'data-status', 'read');
    await containsText(mine, 'Read');
    await hasAttribute(bMine, 'data-status', 'read');
    await containsText(bMine, 'Read');

    // Typing: B types, A sees "Stranger is typing…"; B sends, it goes.
    await B.chat.composer.pressSequentially('are you th', { delay: 20 });
    await hasText(A.chat.typing, 'Stranger is typing…');
    await B.chat.composer.pressSequentially('ere?');
    await B.chat.composer.press('Enter');
    await visible(A.chat.theirMessage('are you there?'));
    await poll(async () => !(await A.chat.typing.isVisible())
      || (await A.chat.typing.innerText()).trim() === '', { message: 'the typing indicator to go' });
    await count(A.chat.items, 3);
    await count(B.chat.items, 3);

    // New with Esc Esc: the first Esc asks, the second runs New (A searches again, B is left).
    await sa.page.keyboard.press('Escape');
    await visible(A.chat.confirmNewButton);
    await sa.page.keyboard.press('Escape');
    await A.searching.waitVisible();
    await B.chat.waitStatus(STATUS.partnerLeft);
    await enabled(B.chat.composer, false);
    await visible(B.chat.newStrangerButton);
    await closeSessions(sb); // B is done (and can never be matched with C below by mistake)

    // A third stranger (C) with the same interest is matched with A at once.
    const sc = await open({ name: 'C' });
    const C = screens(sc.page);
    await C.landing.goto();
    await C.landing.start({ interests: [tag] });
    await A.chat.waitMatched({ commonInterests: [tag] });
    await C.chat.waitMatched({ commonInterests: [tag] });
    await count(A.chat.items, 0); // a new chat starts empty
    await C.chat.send('buy cheap followers at spam.example');
    await visible(A.chat.theirMessage('buy cheap followers'));
    await A.chat.send('no thanks');
    await visible(C.chat.theirMessage('no thanks'));

    // A reports C: the dialog, a reason, Send report; A sees it done, C is left.
    await A.chat.report('spam', 'sells followers');
    await A.chat.waitStatus(STATUS.reported);
    await poll(async () => !(await A.chat.reportDialog.isVisible()), { message: 'the dialog to close' });
    await C.chat.waitStatus(STATUS.partnerLeft);
    await enabled(A.chat.composer, false);

    // Save chat log: a download built in the page with this chat's lines.
    const log = await A.chat.saveLog();
    assert.match(log.name, /^hallway-chat-\d{8}-\d{6}\.txt$/);
    assert.deepEqual(logLines(log.text),
      ['Stranger: buy cheap followers at spam.example', 'You: no thanks'], `the saved log:\n${log.text}`);

    // Neither A nor C may meet the other again. Each first chats with three scripted strangers,
    // so that they are not each other's recent partners any more (the matchmaker skips a
    // guest's last 3): only the report keeps them apart after that.
    for (const X of [A, C]) {
      for (let i = 0; i < 3; i += 1) {
        const bot = await searchingBot(server, [tag]);
        await X.chat.newStrangerButton.click();
        await X.chat.waitMatched();
        await botMatched(bot);
        await botLeaves(bot);
        await X.chat.waitStatus(STATUS.partnerLeft);
      }
    }
    await A.chat.newStrangerButton.click();
    await A.searching.waitVisible();
    await C.chat.newStrangerButton.click();
    await C.searching.waitVisible();
    // They share an interest, so they would pair at once; wait until both are past the fallback.
    await hasText(A.searching.countdown, 'Looking for anyone…', { timeout: (FALLBACK_S + 10) * 1000 });
    await hasText(C.searching.countdown, 'Looking for anyone…', { timeout: (FALLBACK_S + 10) * 1000 });
    await visible(A.searching.looking);
    await visible(C.searching.looking);

    // A fourth stranger (D) is matched with one of them; the other keeps searching.
    const sd = await open({ name: 'D' });
    const D = screens(sd.page);
    await D.landing.goto();
    await D.landing.start({ interests: [tag] });
    await D.chat.waitMatched({ commonInterests: [tag] });
    const matched = await poll(async () => {
      const [a, c] = await Promise.all([A.chat.status.isVisible(), C.chat.status.isVisible()]);
      return a !== c ? (a ? 'A' : 'C') : undefined;
    }, { message: 'exactly one of A and C to be matched (with D)' });
    const other = matched === 'A' ? C : A;
    await visible(other.searching.looking);
    assert.equal(await other.chat.status.isVisible(), false, `${matched === 'A' ? 'C' : 'A'} is not matched`);
  });
});
