// Every screen on a desktop (1280×800) and a phone (360×740, touch), in the light and the dark
// theme: a screenshot of each (build/artifacts/screenshots/, kept as test artefacts), an axe-core
// scan of each (no serious or critical violation), and on the phone no horizontal scrolling.
// The phone walk is also the phone run of issue 9: landing → searching → chat → messages.
// docs/screenshots/ holds six of these, picked by hand and renamed (`make test`, then copy).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AxeBuilder } from '@axe-core/playwright';

import { DESKTOP, PHONE, scene, screenshot } from './lib/browser.mjs';
import { hasAttribute, poll, visible } from './lib/expect.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { STATUS, effectiveScheme, screens } from './lib/pages.mjs';

let server;
let browser;
// A long fallback keeps the searching screen (with its countdown) still while it is scanned.
e2eSuite({ matchFallback: '60s' }, (s, b) => { server = s; browser = b; });

/** Serious and critical axe violations of the page as it is now, as readable lines. */
async function axeProblems(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5)
      .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''}`)
      .join('; ')}`);
}

/**
 * For the screen on show: in the light and then the dark theme (the system preference, which the
 * app follows by default), a screenshot and an axe scan; on a phone, no horizontal overflow.
 * Problems are collected in `problems` so one run reports them all.
 */
async function capture(page, { form, screen, problems, scan = true }) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await poll(async () => (await effectiveScheme(page)) === scheme || undefined,
      { message: `the page to be drawn in the ${scheme} theme (system preference ${scheme})` });
    await screenshot(page, `${form}-${scheme}-${screen}`);
    if (scan) {
      for (const p of await axeProblems(page)) problems.push(`${form} ${scheme} ${screen}: ${p}`);
    }
    if (form === 'phone') {
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      if (scrollWidth > innerWidth) {
        problems.push(`${form} ${scheme} ${screen}: scrolls sideways (${scrollWidth} > ${innerWidth} px)`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

for (const [form, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`${form}: every screen, light and dark — screenshots, axe, layout`
    + `${form === 'phone' ? ' (landing → chat → messages on a phone)' : ''}`, async () => {
    // A plain tag reads well in the screenshots; the desktop pair has left before the phone runs.
    const tag = 'music';
    const problems = [];
    await scene(browser, server, async (open) => {
      const sa = await open({ name: `${form} A`, ...options, colorScheme: 'light' });
      const sb = await open({ name: `${form} B` });
      const A = screens(sa.page);
      const B = screens(sb.page);
      await A.landing.goto();
      await capture(sa.page, { form, screen: '1-landing', problems });

      await A.landing.rulesLink.click();
      await visible(A.rules.back);
      await capture(sa.page, { form, screen: '2-rules', problems });
      await A.rules.back.click();
      await visible(A.landing.heading);
      await A.landing.waitOnline();

      await A.landing.addInterest(tag);
      await A.landing.addInterest('films');
      await A.landing.nickname.fill('night_owl');
      await A.landing.rules.check();
      await capture(sa.page, { form, screen: '3-landing-filled', problems, scan: false });
      await A.landing.startButton.click();
      await A.searching.waitVisible();
      await A.searching.countdownSeconds();
      await capture(sa.page, { form, screen: '4-searching', problems });

      await B.landing.goto();
      await B.landing.start({ interests: [tag] });
      await A.chat.waitMatched({ commonInterests: [tag] });
      await B.chat.waitMatched();
      await B.chat.send('Hey! What music are you into? 🎶');
      await visible(A.chat.theirMessage('What music'));
      await A.chat.send('Mostly jazz, some synthwave 😄\nYou?');
      await visible(B.chat.theirMessage('Mostly jazz'));
      await A.chat.send('This live set is great: https://example.org/live');
      await hasAttribute(A.chat.myMessage('This live set'), 'data-status', 'read');
      await B.chat.composer.pressSequentially('Same here, thanks', { delay: 20 });
      await visible(A.chat.typing);
      await capture(sa.page, { form, screen: '5-chat', problems });

      await A.chat.reportButton.click();
      await visible(A.chat.reportDialog);
      await A.chat.reportDialog.getByRole('radio', { name: 'Something else', exact: true }).check();
      await capture(sa.page, { form, screen: '6-report', problems });
      await A.chat.reportDialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await poll(async () => !(await A.chat.reportDialog.isVisible()), { message: 'the dialog to close' });

      await B.chat.stopButton.click();
      await A.chat.waitStatus(STATUS.partnerLeft);
      await visible(A.chat.newStrangerButton);
      await capture(sa.page, { form, screen: '7-ended', problems });

      assert.deepEqual(problems, [], `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    });
  });
}
