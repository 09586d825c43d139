// Installable and shell-only: the manifest and its icons as served, the page linking them, and the
// service worker: it controls the page, caches the app shell (pages, /_next/static, icons,
// manifest) and nothing else — no /api, no /socket.io — and opens the landing offline.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { botMatched, closeAllGuests, searchingBot } from './lib/bots.mjs';
import { scene } from './lib/browser.mjs';
import { poll, visible } from './lib/expect.mjs';
import { uniqueTag } from './lib/flows.mjs';
import { e2eSuite } from './lib/suite.mjs';
import { screens } from './lib/pages.mjs';

let server;
let browser;
e2eSuite(undefined, (s, b) => { server = s; browser = b; }, { beforeStop: closeAllGuests });

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG signature');
  assert.equal(buf.subarray(12, 16).toString('latin1'), 'IHDR');
  return `${buf.readUInt32BE(16)}x${buf.readUInt32BE(20)}`;
}

test('the manifest and its icons, as served and as linked from the page', async () => {
  const r = await fetch(`${server.origin}/manifest.webmanifest`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/manifest\+json/);
  const m = await r.json();
  assert.equal(m.name, 'Hallway');
  assert.ok(m.short_name);
  assert.equal(m.start_url, '/');
  assert.equal(m.display, 'standalone');
  assert.match(m.theme_color, /^#[0-9a-f]{6}$/i);
  assert.match(m.background_color, /^#[0-9a-f]{6}$/i);
  const seen = new Set();
  for (const icon of m.icons) {
    const res = await fetch(new URL(icon.src, server.origin));
    assert.equal(res.status, 200, icon.src);
    assert.equal(res.headers.get('content-type').split(';')[0], icon.type, icon.src);
    const body = Buffer.from(await res.arrayBuffer());
    if (icon.type === 'image/png') {
      assert.equal(pngSize(body), icon.sizes, `${icon.src} is ${icon.sizes}`);
      assert.ok(body.length < 50_000, `${icon.src} is small (${body.length} bytes)`);
    } else {
      assert.match(body.toString('utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    seen.add(`${icon.sizes} ${icon.purpose}`);
  }
  for (const need of ['192x192 any', '512x512 any', '512x512 maskable', 'any any']) {
    assert.ok(seen.has(need), `an icon ${need}: ${[...seen].join(', ')}`);
  }

  await scene(browser, server, async (open) => {
    const s = await open({ name: 'manifest' });
    await screens(s.page).landing.goto();
    const href = await s.page.locator('link[rel="manifest"]').getAttribute('href');
    assert.equal(new URL(href, server.origin).pathname, '/manifest.webmanifest');
    assert.ok(await s.page.locator('meta[name="theme-color"]').count() >= 1, 'a theme-color meta');
    assert.ok(await s.page.locator('link[rel~="icon"]').count() >= 1, 'a page icon');
  });
});

test('the service worker caches the app shell only and opens the landing offline', async () => {
  await scene(browser, server, async (open) => {
    const s = await open({ name: 'sw' });
    const { landing, chat } = screens(s.page);
    await landing.goto();
    // The app registers /sw.js; it takes control (clients.claim) without a reload.
    const scriptURL = await s.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active.scriptURL;
    });
    assert.equal(new URL(scriptURL).pathname, '/sw.js');
    await poll(() => s.page.evaluate(() => navigator.serviceWorker.controller !== null) || undefined,
      { message: 'the service worker to control the page' });
    // Realtime and API traffic under its control: a guest, a chat, messages. Which responses came
    // from the service worker (respondWith) is recorded.
    const viaWorker = [];
    const seen = [];
    s.page.on('response', (r) => {
      const p = new URL(r.url()).pathname;
      seen.push(p);
      if (r.fromServiceWorker()) viaWorker.push(p);
    });
    await s.page.reload();
    await landing.waitOnline();
    const tag = uniqueTag('sw');
    const bot = await searchingBot(server, [tag]);
    await landing.start({ interests: [tag] });
    await chat.waitMatched();
    await botMatched(bot);
    await chat.send('cached? never');

    const cached = await s.page.evaluate(async () => {
      const out = [];
      for (const name of await caches.keys()) {
        const c = await caches.open(name);
        for (const req of await c.keys()) out.push({ cache: name, url: req.url });
      }
      return out;
    });
    const paths = cached.map((e) => new URL(e.url).pathname);
    const shell = (p) => p === '/' || p === '/rules' || p === '/manifest.webmanifest'
      || p.startsWith('/_next/static/') || p.startsWith('/icons/');
    assert.deepEqual(paths.filter((p) => !shell(p)), [], `only the shell is cached: ${paths.join(' ')}`);
    assert.ok(paths.includes('/'), 'the landing page is cached');
    assert.ok(paths.some((p) => p.startsWith('/_next/static/')), 'the hashed assets are cached');
    assert.ok(cached.every((e) => e.cache.startsWith('hallway-shell-')), 'one versioned cache');
    // It answered the page and its assets, and never an API or realtime request.
    assert.ok(viaWorker.includes('/') && viaWorker.some((p) => p.startsWith('/_next/static/')),
      `the shell came through the worker: ${viaWorker.join(' ')}`);
    assert.ok(seen.some((p) => p.startsWith('/api/')), `API requests were made: ${seen.join(' ')}`);
    assert.deepEqual(viaWorker.filter((p) => !shell(p)), [], 'nothing else went through respondWith');

    // Offline: the landing still opens (from the cache); the realtime channel cannot, and says so
    // on the console, which is expected here.
    s.guard.allow(/ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/, 'offline on purpose');
    await s.context.setOffline(true);
    await s.page.goto('/');
    await visible(landing.heading);
    await s.context.setOffline(false);
  });
});
