/* Hallway's service worker: it caches the app shell only, so the installed app opens offline
 * (and on a flaky connection) to its pages; it never sees a conversation.
 *
 *  - HTML navigations: network first (a new build is picked up at once), the cached copy when the
 *    network fails, else the cached landing page.
 *  - /_next/static/** (content-hashed, immutable), /icons/**, /manifest.webmanifest: cache first.
 *  - Everything else — /api/**, /socket.io/** (polling and WebSocket), files, any other origin,
 *    any non-GET request — is not touched: the handler returns without respondWith, so the
 *    browser does what it would do without a service worker and nothing of it is stored.
 *
 * Bump VERSION when this file's caching rules change: activate deletes every other hallway cache.
 * Hashed assets need no bump (their names change with their content).
 */
const VERSION = 'v1';
const CACHE = `hallway-shell-${VERSION}`;
const PREFIX = 'hallway-shell-';
// Pages and assets fetched at install; a failing one is skipped (never blocks the install).
const PRECACHE = ['/', '/rules', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png',
  '/icons/icon-512.png'];

function isNeverCached(url) {
  const p = url.pathname;
  return p === '/api' || p.startsWith('/api/') || p === '/socket.io' || p.startsWith('/socket.io/')
    || p.startsWith('/files/');
}

function isHashedAsset(url) {
  return url.pathname.startsWith('/_next/static/');
}

function isShellAsset(url) {
  return url.pathname.startsWith('/icons/') || url.pathname === '/manifest.webmanifest';
}

// Only complete, same-origin, successful responses that are not downloads are stored.
function storable(res) {
  return res && res.ok && res.status === 200 && res.type === 'basic'
    && !/attachment/i.test(res.headers.get('content-disposition') || '')
    && !/no-store/i.test(res.headers.get('cache-control') || '');
}

async function put(req, res) {
  if (!storable(res)) return;
  try {
    const cache = await caches.open(CACHE);
    await cache.put(req, res);
  } catch (e) { /* quota or a closing worker: the shell is a cache, not a store */ }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (path) => {
      try {
        const res = await fetch(path, { cache: 'no-cache' });
        if (storable(res)) await cache.put(path, res);
      } catch (e) { /* offline at install: cached on first use instead */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function networkFirst(event) {
  const req = event.request;
  try {
    const res = await fetch(req);
    // The copy is keyed by path (no query): "/?x" and "/" are the same page.
    const url = new URL(req.url);
    event.waitUntil(put(url.origin + url.pathname, res.clone()));
    return res;
  } catch (e) {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreSearch: true }) || await cache.match('/');
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(event) {
  const req = event.request;
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  event.waitUntil(put(req, res.clone()));
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  if (req.headers.has('range')) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (isNeverCached(url)) return;
  if (req.mode === 'navigate') {
    event.respondWith(networkFirst(event));
    return;
  }
  if (isHashedAsset(url) || isShellAsset(url)) {
    event.respondWith(cacheFirst(event));
  }
  // Anything else (RSC payloads, other files): the network, untouched.
});
