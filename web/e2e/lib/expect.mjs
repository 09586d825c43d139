// Condition waits for the end-to-end tests. playwright-core has no `expect`, so these poll a
// condition until it holds or the timeout passes, and fail with what was last seen. They wait
// for a state, never for a time: a condition that already holds returns at once.

import { setTimeout as delay } from 'node:timers/promises';

/** Default time a UI condition gets (an ASan server and a browser share 2 cores in CI). */
export const TIMEOUT = Number(process.env.HALLWAY_E2E_TIMEOUT_MS ?? 15000);

/**
 * Calls `fn` until it returns without throwing and with a value other than false/undefined
 * (that value is returned). On timeout throws `message` plus the last error or value.
 */
export async function poll(fn, { timeout = TIMEOUT, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false && v !== undefined) return v;
      last = `returned ${JSON.stringify(v)}`;
    } catch (e) {
      last = e?.message ?? String(e);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}; last: ${last}`);
    }
    await delay(interval);
  }
}

const describe = (locator) => locator.toString?.() ?? String(locator);
const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const matches = (actual, expected) => (expected instanceof RegExp ? expected.test(actual)
  : actual === expected);

/** Waits until the locator (one element) is visible. */
export async function visible(locator, opts = {}) {
  await locator.waitFor({ state: 'visible', timeout: opts.timeout ?? TIMEOUT });
  return locator;
}

/** Waits until the locator matches nothing visible. */
export async function hidden(locator, opts = {}) {
  await locator.waitFor({ state: 'hidden', timeout: opts.timeout ?? TIMEOUT });
  return locator;
}

/** Waits until the element's text (whitespace collapsed) equals a string or matches a RegExp. */
export async function hasText(locator, expected, opts = {}) {
  return poll(async () => {
    const t = norm(await locator.innerText({ timeout: 1000 }));
    if (!matches(t, expected)) throw new Error(`text is ${JSON.stringify(t)}`);
    return t;
  }, { ...opts, message: opts.message ?? `${describe(locator)} to have text ${expected}` });
}

/** Waits until the element's text contains `part` (string or RegExp). */
export async function containsText(locator, part, opts = {}) {
  return poll(async () => {
    const t = norm(await locator.innerText({ timeout: 1000 }));
    const ok = part instanceof RegExp ? part.test(t) : t.includes(part);
    if (!ok) throw new Error(`text is ${JSON.stringify(t)}`);
    return t;
  }, { ...opts, message: opts.message ?? `${describe(locator)} to contain ${part}` });
}

/** Waits until the locator matches exactly `n` elements. */
export async function count(locator, n, opts = {}) {
  return poll(async () => {
    const c = await locator.count();
    if (c !== n) throw new Error(`count is ${c}`);
    return true;
  }, { ...opts, message: opts.message ?? `${describe(locator)} to match ${n} element(s)` });
}

/** Waits until attribute `name` equals a string or matches a RegExp (null: absent). */
export async function hasAttribute(locator, name, expected, opts = {}) {
  return poll(async () => {
    const v = await locator.getAttribute(name, { timeout: 1000 });
    const ok = expected === null ? v === null : v !== null && matches(v, expected);
    if (!ok) throw new Error(`${name}=${JSON.stringify(v)}`);
    return true;
  }, { ...opts, message: opts.message ?? `${describe(locator)} to have ${name}=${expected}` });
}

/** Waits until the element is enabled (true) or disabled (false). */
export async function enabled(locator, want = true, opts = {}) {
  return poll(async () => (await locator.isEnabled({ timeout: 1000 })) === want || undefined,
    { ...opts, message: opts.message ?? `${describe(locator)} to be ${want ? 'enabled' : 'disabled'}` });
}
