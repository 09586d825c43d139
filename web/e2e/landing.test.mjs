// The landing page's form and the searching screen's controls, as a visitor meets them: Start
// waits for the rules checkbox, Text or Video can be chosen, interest tags follow the API's rules,
// the nickname is checked inline, the language follows the browser, the theme toggle cycles and is
// remembered, the rules page and back; on the searching screen the countdown, "Interests only"
// and Cancel.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { scene } from './lib/browser.mjs';
import { count, enabled, hasAttribute, hidden, poll, visible } from './lib/expect.mjs';
import { uniqueTag } from './lib/flows.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { effectiveScheme, screens } from './lib/pages.mjs';

let server;
let browser;
e2eSuite({ matchFallback: '60s' }, (s, b) => { server = s; browser = b; });

const isDark = (page) => page.evaluate(() => document.documentElement.classList.contains('dark'));

test('the landing form: Start, mode, interests, nickname, language, rules page', async () => {
  await scene(browser, server, async (open) => {
    const s = await open({ name: 'landing' });
    const { landing, rules } = screens(s.page);
    await landing.goto();

    // Start waits for the checkbox.
    await enabled(landing.startButton, false);
    await landing.rules.check();
    await enabled(landing.startButton, true);
    await landing.rules.uncheck();
    await enabled(landing.startButton, false);

    // Text is chosen; Video can be, with its note (consent-first video).
    await visible(landing.modeGroup);
    assert.equal(await landing.textMode.isChecked(), true);
    assert.equal(await landing.videoMode.isDisabled(), false);
    await visible(landing.videoNote);
    await landing.videoMode.check();
    assert.equal(await landing.textMode.isChecked(), false);
    await landing.textMode.check();
    assert.equal(await landing.videoMode.isChecked(), false);

    // Interests: Enter and comma add, a tag's button removes it, Backspace in an empty input
    // removes the last; at most 10 tags of 1–30 characters.
    await landing.addInterest('music');
    await landing.interests.fill('films,');
    await visible(landing.removeInterest('films'));
    await landing.interests.fill('');
    await landing.interests.press('Backspace');
    await hidden(landing.removeInterest('films'));
    await visible(landing.removeInterest('music'));
    await landing.removeInterest('music').click();
    await hidden(landing.removeInterest('music'));
    const tags = Array.from({ length: 10 }, (_, i) => `tag${i}`);
    for (const t of tags) await landing.addInterest(t);
    await landing.interests.fill('eleventh');
    await landing.interests.press('Enter');
    const removeButtons = s.page.getByRole('button', { name: /^Remove interest / });
    await count(removeButtons, 10, { message: 'still 10 tags after an 11th' });
    for (const t of tags) await landing.removeInterest(t).click();
    await count(removeButtons, 0);
    await landing.interests.fill('x'.repeat(31));
    await landing.interests.press('Enter');
    await count(removeButtons, 0, { message: 'no tag of 31 characters' });
    await landing.interests.fill('x'.repeat(30));
    await landing.interests.press('Enter');
    await count(removeButtons, 1);

    // Nickname: optional; 3–20 of [A-Za-z0-9_], else an inline error (aria-invalid) and no start.
    await landing.nickname.fill('ab');
    await landing.nickname.blur();
    await hasAttribute(landing.nickname, 'aria-invalid', 'true');
    await landing.nickname.fill('bad name!');
    await landing.nickname.blur();
    await hasAttribute(landing.nickname, 'aria-invalid', 'true');
    await landing.rules.check();
    await landing.startButton.click().catch(() => {});
    await visible(landing.heading); // still on the landing
    await landing.nickname.fill('good_name_1');
    await poll(async () => (await landing.nickname.getAttribute('aria-invalid')) !== 'true' || undefined,
      { message: 'the nickname error to clear' });

    // Language: the browser's (en-US here), with "Any" offered.
    const lang = await landing.language.inputValue();
    assert.match(lang, /^en(-US)?$/i, `the default language follows the browser: ${lang}`);
    await count(landing.language.getByRole('option', { name: 'Any', exact: true }), 1);

    // The rules page and back.
    await landing.rulesLink.click();
    await s.page.waitForURL(/\/rules$/);
    await visible(rules.back);
    await rules.back.click();
    await visible(landing.heading);
  });
});

test('the language defaults to the browser\'s (de-DE)', async () => {
  await scene(browser, server, async (open) => {
    const s = await open({ name: 'de', locale: 'de-DE' });
    const { landing } = screens(s.page);
    await landing.goto();
    assert.match(await landing.language.inputValue(), /^de(-DE)?$/i);
  });
});

test('the theme toggle cycles system → dark → light → system and is remembered', async () => {
  await scene(browser, server, async (open) => {
    const s = await open({ name: 'theme', colorScheme: 'light' });
    const { landing } = screens(s.page);
    await landing.goto();
    assert.equal(await isDark(s.page), false, 'system (light)');
    await landing.themeToggle.click();
    await poll(async () => (await isDark(s.page)) || undefined, { message: 'dark' });
    await s.page.reload();
    await landing.waitOnline();
    assert.equal(await isDark(s.page), true, 'dark is remembered across a reload');
    await landing.themeToggle.click();
    await poll(async () => !(await isDark(s.page)) || undefined, { message: 'light' });
    await s.page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await isDark(s.page), false, 'light stays light on a dark system');
    await landing.themeToggle.click(); // system again: follows the (now dark) system
    await poll(async () => (await isDark(s.page)) || undefined, { message: 'system (dark)' });

    // An explicit choice holds on every page, also one loaded directly (the rules page).
    await s.page.emulateMedia({ colorScheme: 'light' });
    await landing.themeToggle.click(); // dark
    await poll(async () => (await isDark(s.page)) || undefined, { message: 'dark' });
    await s.page.goto('/rules');
    await visible(screens(s.page).rules.back);
    assert.equal(await effectiveScheme(s.page), 'dark', 'the rules page, loaded directly, is dark too');
  });
});

test('searching: the countdown, "Interests only" (off without interests) and Cancel', async () => {
  await scene(browser, server, async (open) => {
    const s = await open({ name: 'searching' });
    const { landing, searching } = screens(s.page);
    await landing.goto();
    // Every text the countdown ever shows is recorded (a value shown for one frame counts too).
    await s.page.evaluate(() => {
      window.__countdown = [];
      const seen = () => {
        const el = document.querySelector('[data-testid="fallback-countdown"]');
        const t = el?.textContent?.trim();
        if (t && t !== window.__countdown.at(-1)) window.__countdown.push(t);
      };
      new MutationObserver(seen).observe(document.body, { subtree: true, childList: true,
        characterData: true });
    });
    await landing.start({ interests: [uniqueTag('solo')] });
    await searching.waitVisible();
    const n = await searching.countdownSeconds();
    assert.ok(n > 50 && n <= 60, `the countdown follows the server's fallback (60 s): ${n}`);
    const shown = await s.page.evaluate(() => window.__countdown);
    const values = shown.map((t) => Number(/^Anyone in (\d+) s$/.exec(t)?.[1]));
    assert.ok(values.length > 0 && values.every((v) => v > 0 && v <= 60)
      && values.every((v, i) => i === 0 || v <= values[i - 1]),
    `the countdown starts at most at 60 s and only goes down: ${JSON.stringify(shown)}`);
    await enabled(searching.interestsOnly, true);
    assert.equal(await searching.interestsOnly.getAttribute('aria-checked'), 'false');
    await searching.interestsOnly.click();
    await hasAttribute(searching.interestsOnly, 'aria-checked', 'true');
    await hidden(searching.countdown);
    await searching.interestsOnly.click();
    await hasAttribute(searching.interestsOnly, 'aria-checked', 'false');
    await searching.countdownSeconds();
    await searching.cancelButton.click();
    await visible(landing.heading);

    // Without interests the switch cannot be turned on (the tags may or may not be kept).
    for (const b of await s.page.getByRole('button', { name: /^Remove interest / }).all()) await b.click();
    await landing.rules.check();
    await landing.startButton.click();
    await searching.waitVisible();
    await enabled(searching.interestsOnly, false);
    await searching.cancelButton.click();
    await visible(landing.heading);
  });
});
