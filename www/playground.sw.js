// The playground's service worker: keeps the page, the runtime and the examples (dist/examples/precache.json,
// written by npm run build, with a SHA-256 per file) so the playground works offline once loaded. Online,
// requests go to the network as usual (edits show up at once); only a failed request is answered from the
// cache. Benchmark pages under www/bench/ are left alone so the worker never sits in their measurements.
//
// A dedicated worker is controlled by the registration whose scope covers the worker's own URL, and the
// runtime's workers live in dist/, outside this file's maximum scope (www/). So npm run build also copies this
// file to dist/playground-sw.js, which the page registers for exactly the two worker URLs (www/playground/
// main.js); both copies share one cache and resolve the list from their own location.

const CACHE = 'ugc-playground-v1';
const HERE = self.location.pathname.endsWith('/dist/playground-sw.js') ? '../' : '../dist/';
const LIST = new URL(`${HERE}examples/precache.json`, self.location).href;
/** precache.json's entries are relative to www/. */
const BASE = new URL('../../www/', LIST).href;
const LIST_KEY = `${LIST}#stored`;

/** Downloads the entries whose hash changed since the last refresh (all of them the first time). */
async function refresh() {
  const response = await fetch(LIST, { cache: 'no-store' });
  if (!response.ok) return;
  const entries = await response.json();
  const cache = await caches.open(CACHE);
  const stored = await cache.match(LIST_KEY);
  const known = new Map(
    stored ? (await stored.json()).map((e) => [new URL(e.url, BASE).href, e.sha256]) : [],
  );
  const stale = [];
  for (const entry of entries) {
    const url = new URL(entry.url, BASE).href;
    if (known.get(url) !== entry.sha256 || !(await cache.match(url))) stale.push(url);
  }
  await cache.addAll(stale);
  await cache.put(LIST_KEY, new Response(JSON.stringify(entries)));
}

self.addEventListener('install', (event) => {
  event.waitUntil(refresh().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

// The page asks for a refresh on every load so the offline copy follows the files served.
self.addEventListener('message', (event) => {
  if (event.data === 'refresh') event.waitUntil(refresh().catch(() => {}));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.includes('/www/bench/') || request.referrer.includes('/www/bench/')) return;
  event.respondWith(
    fetch(request).catch(async () => {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw new TypeError(`offline and not cached: ${request.url}`);
    }),
  );
});
