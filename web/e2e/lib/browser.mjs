// Debian's Chromium driven by playwright-core (no browser download), one browser per test file,
// and a guard on every context: console errors, uncaught page errors, CSP violations, dialogs
// (alert/confirm/prompt) and requests to any origin other than the server's fail the test when
// `guard.check()` runs at its end.

import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { REPO_ROOT } from './hallway.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true,
  deviceScaleFactor: 2 };

export const SCREENSHOTS = path.join(REPO_ROOT, 'build/artifacts/screenshots');

/** Chromium's fake microphone and camera (a beep and a test pattern) with every capture
 *  permission granted without a prompt: the voice-note tests. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** WebRTC between two pages on this machine: Chromium gathers no loopback candidate otherwise
 *  (a call on 127.0.0.1 would stay at "new"). */
export const CALL_ARGS = ['--allow-loopback-in-peer-connection'];

/** Launches Chromium with CHROMIUM_ARGS plus `extraArgs`; `executablePath` replaces the binary
 *  (e.g. a wrapper that starts it inside a network namespace). */
export async function launchBrowser(extraArgs = [], { executablePath } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/bootstrap.sh --test)`);
  }
  return chromium.launch({ executablePath: executablePath ?? CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true });
}

// Runs in every page before its own scripts: a CSP violation (which Chromium also reports on the
// console, but not for every directive) is logged as a console error, which the guard records.
function reportCspViolations() {
  document.addEventListener('securitypolicyviolation', (e) => {
    // eslint-disable-next-line no-console
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`
      + ` at ${e.sourceFile || '?'}:${e.lineNumber}`);
  });
}

/**
 * A guard over one browser context. Every page of the context (popups too) is watched from its
 * creation. `allow(regex, why)` accepts console errors matching `regex` (the reason is kept for
 * the failure message); nothing is allowed by default.
 */
export class Guard {
  constructor(context, { origin, name }) {
    this.name = name;
    this.origin = origin;
    this.problems = [];
    this.allowed = [];
    context.on('page', (page) => this.watch(page));
    context.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return;
      let o;
      try { o = new URL(url).origin; } catch { o = url; }
      if (o !== origin) this.problems.push(`request to another origin: ${req.method()} ${url}`);
    });
  }

  watch(page) {
    // WebSockets are not "request"s: the realtime channel must stay on the page's own host.
    page.on('websocket', (ws) => {
      const u = new URL(ws.url());
      const expected = new URL(this.origin);
      if (u.host !== expected.host || u.protocol !== (expected.protocol === 'https:' ? 'wss:' : 'ws:')) {
        this.problems.push(`WebSocket to another origin: ${ws.url()}`);
      }
    });
    page.on('console', (msg) => {
      const text = msg.text();
      const csp = /Content Security Policy|CSP violation/i.test(text);
      if (msg.type() !== 'error' && !csp) return;
      if (!csp && this.allowed.some(({ re }) => re.test(text))) return;
      const loc = msg.location();
      this.problems.push(`console ${msg.type()}: ${text}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    });
    page.on('pageerror', (err) => this.problems.push(`page error: ${err.stack ?? err.message}`));
    page.on('dialog', (dialog) => {
      this.problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
  }

  allow(re, why) { this.allowed.push({ re, why }); }

  /** Throws when anything was recorded. */
  check() {
    if (this.problems.length === 0) return;
    throw new Error(`browser context "${this.name}" reported ${this.problems.length} problem(s):\n  `
      + this.problems.join('\n  '));
  }
}

/**
 * A new guarded context with one page on `server`: resolves {context, page, guard, name}.
 * Options go to browser.newContext() (viewport, colorScheme, isMobile, hasTouch, locale, …);
 * `name` labels failures.
 */
export async function openSession(browser, server, { name = 'page', ...options } = {}) {
  const context = await browser.newContext({ ...DESKTOP, locale: 'en-US', acceptDownloads: true,
    baseURL: server.origin, ...options });
  context.setDefaultTimeout(15000);
  await context.addInitScript(reportCspViolations);
  const guard = new Guard(context, { origin: server.origin, name });
  const page = await context.newPage();
  return { context, page, guard, name };
}

/**
 * Closes the sessions' contexts and then checks each guard (every problem is reported). A session
 * already closed is skipped.
 */
export async function closeSessions(...sessions) {
  const errors = [];
  for (const s of sessions.filter((x) => x && !x.closed)) {
    s.closed = true;
    await s.context.close().catch(() => {});
    try { s.guard.check(); } catch (e) { errors.push(e.message); }
  }
  if (errors.length) throw new Error(errors.join('\n'));
}

/**
 * Runs `body(open)`, where `open(options)` is openSession() on this browser and server; then
 * closes every session opened and checks its guard. A failure of the body and the guards' findings
 * are reported together (neither hides the other).
 */
export async function scene(browser, server, body) {
  const sessions = [];
  const open = async (options) => {
    const s = await openSession(browser, server, options);
    sessions.push(s);
    return s;
  };
  let error;
  try {
    await body(open);
  } catch (e) {
    error = e;
  }
  try {
    await closeSessions(...sessions);
  } catch (e) {
    if (error) error.message += `\n… and the browser guard: ${e.message}`;
    else error = e;
  }
  if (error) throw error;
}

/** Saves a screenshot of the viewport as build/artifacts/screenshots/<name>.png. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}
