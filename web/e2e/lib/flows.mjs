// Steps several tests share.

import crypto from 'node:crypto';

import { screens } from './pages.mjs';

/** A unique interest tag, so that pairs of different tests never meet. */
export const uniqueTag = (prefix = 't') => `${prefix}${crypto.randomBytes(4).toString('hex')}`;

/**
 * Two guarded sessions (from scene()'s `open`) that go landing → Start with a shared unique
 * interest → chat. Resolves {sa, sb, A, B, tag} (sessions and their screens); `a`/`b` are
 * openSession() options; `setup({sa, sb})` runs before the pages load (routes, init scripts).
 */
export async function matchedPair(open, { a = {}, b = {}, tag = uniqueTag(), setup } = {}) {
  const sa = await open({ name: 'A', ...a });
  const sb = await open({ name: 'B', ...b });
  if (setup) await setup({ sa, sb });
  const A = screens(sa.page);
  const B = screens(sb.page);
  await Promise.all([A.landing.goto(), B.landing.goto()]);
  await A.landing.start({ interests: [tag] });
  await A.searching.waitVisible();
  await B.landing.start({ interests: [tag] });
  await Promise.all([A.chat.waitMatched(), B.chat.waitMatched()]);
  return { sa, sb, A, B, tag };
}
