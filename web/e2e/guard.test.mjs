// The harness's own guard must see what it is there to see, or every other test's "no console
// error, no CSP violation" would pass by not looking: a console error, an uncaught error, an inline
// script blocked by the server's CSP, a dialog and a request to another origin are each recorded.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openSession } from './lib/browser.mjs';
import { poll } from './lib/expect.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { screens } from './lib/pages.mjs';

let server;
let browser;
e2eSuite(undefined, (s, b) => { server = s; browser = b; });

test('the guard records console errors, page errors, CSP violations, dialogs, foreign requests', async () => {
  const s = await openSession(browser, server, { name: 'guard' });
  try {
    await screens(s.page).landing.goto();
    s.guard.check(); // the real page itself is clean
    await s.page.evaluate(() => {
      console.error('deliberate console error');
      setTimeout(() => { throw new Error('deliberate uncaught error'); }, 0);
      const el = document.createElement('script');
      el.textContent = 'window.__inlineRan = true;';
      document.body.append(el);
      setTimeout(() => alert('deliberate alert'), 0);
      // The CSP stops a fetch elsewhere before it is a request, but lets WebSockets go anywhere.
      const ws = new WebSocket('ws://127.0.0.2:9/elsewhere');
      ws.onerror = () => {};
      // Navigations are not the CSP's business: a popup elsewhere is a request to another origin.
      window.open('http://127.0.0.2:9/popup', '_blank', 'noopener');
    });
    const want = [/console error: deliberate console error/, /page error: .*deliberate uncaught error/,
      /CSP violation: script-src/, /unexpected alert dialog: deliberate alert/,
      /WebSocket to another origin: ws:\/\/127\.0\.0\.2:9\/elsewhere/,
      /request to another origin: GET http:\/\/127\.0\.0\.2:9\/popup/];
    await poll(() => want.every((re) => s.guard.problems.some((p) => re.test(p))) || undefined,
      { message: 'every kind recorded' }).catch((e) => {
      throw new Error(`${e.message}\nrecorded:\n${s.guard.problems.join('\n')}`);
    });
    assert.equal(await s.page.evaluate(() => window.__inlineRan === true), false, 'the CSP blocked it');
    assert.throws(() => s.guard.check(), /deliberate console error/);
  } finally {
    await s.context.close();
  }
});
