/**
 * Boardcast's service worker: lets the editor page itself load when the server cannot be
 * reached, so a reload offline still shows the board (kept in IndexedDB by y-indexeddb) and
 * offline edits merge when the server is back. Served at /sw.js, registered by
 * client/editor/offline-shell.ts with the scope /board/, so it controls editor pages only: the
 * embed viewer (/view/) is never controlled and stays network-only. Plain JS, copied to dist/
 * as it is.
 *
 * What it handles (same-origin GET only; everything else goes to the network untouched):
 * - Navigations to /board/<id>: network first, for at most NAVIGATION_TIMEOUT_MS; each
 *   successful answer is kept as the editor shell. When the network fails, times out or
 *   answers 5xx, the kept shell answers instead. The page reads the board id from its
 *   address, so one shell serves every board.
 * - /assets/*: hashed and immutable, so cache first, cached on first fetch. Whenever a new
 *   shell is kept, cached assets it no longer names (an older build's) are deleted.
 * - Never: /ws/, /api/, /healthz, /metrics, /view/ (the embed viewer stays network-only), /.
 *
 * Nothing is precached blindly. A page loaded before this worker controlled it (the first
 * visit) sends SHELL_MESSAGE; the worker then fetches that page, keeps it as the shell and
 * caches the assets it names, and answers on the message's port.
 *
 * Bump CACHE_VERSION when this file's caching changes: `activate` deletes every older cache.
 */

const CACHE_VERSION = 1;
const CACHE_PREFIX = 'boardcast-offline-';
const CACHE_NAME = `${CACHE_PREFIX}v${CACHE_VERSION}`;
/** The cache key of the editor shell: a name, never fetched from the network. */
const SHELL_KEY = '/__boardcast/editor-shell';
/** How long a navigation waits for the network before the kept shell answers. */
const NAVIGATION_TIMEOUT_MS = 3_000;
/** The message a page sends to have itself kept as the shell (see offline-shell.ts). */
const SHELL_MESSAGE = 'boardcast:keep-shell';

const EDITOR_PATH = /^\/board\/[A-Za-z0-9_-]{1,64}\/?$/;
const ASSET_PATH = /^\/assets\/[^/]+$/;
/** Asset references in the editor's HTML (script src, stylesheet and modulepreload href). */
const ASSET_REFERENCE = /(?:src|href)="(\/assets\/[^"?#]+)"/g;

self.addEventListener('install', () => {
  // A new version takes over at once: the caches it uses are its own (versioned).
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && EDITOR_PATH.test(url.pathname)) {
    event.respondWith(editorNavigation(event));
  } else if (ASSET_PATH.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else (/ws/, /api/, /healthz, /metrics, /view/, /) is not intercepted.
});

self.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!event.data || event.data.type !== SHELL_MESSAGE || !port) return;
  event.waitUntil(
    keepPageAsShell(event.source)
      .then(() => port.postMessage({ ok: true }))
      .catch((error) => port.postMessage({ ok: false, error: String(error) })),
  );
});

/** Network first with a timeout; the kept shell when the network fails or is slow. */
async function editorNavigation(event) {
  const fromNetwork = fetch(event.request);
  // Keep a good answer as the shell, in the background (it may come after the timeout);
  // waitUntil keeps the worker alive until it is stored. This handler runs first, before
  // the page reads the body, so the clone is taken in time.
  event.waitUntil(
    fromNetwork
      .then((response) => (isShell(response) ? storeShell(response.clone()) : undefined))
      .catch(() => undefined),
  );
  let answer;
  try {
    answer = await Promise.race([fromNetwork, delay(NAVIGATION_TIMEOUT_MS)]);
  } catch (error) {
    const shell = await cachedShell();
    if (shell) return shell;
    throw error; // no shell yet: the browser shows its own offline page
  }
  if (answer && answer.status < 500) return answer;
  const shell = await cachedShell();
  if (shell) return shell;
  return answer ?? fromNetwork; // timed out with no shell: keep waiting for the network
}

/** Hashed names never change content, so a cached copy is always right. */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

/** Fetches the page a client shows, keeps it as the shell and caches the assets it names. */
async function keepPageAsShell(client) {
  if (!client || !client.url) throw new Error('no client to keep');
  const url = new URL(client.url);
  if (url.origin !== self.location.origin || !EDITOR_PATH.test(url.pathname)) {
    throw new Error(`not an editor page: ${url.pathname}`);
  }
  const response = await fetch(url.href, { cache: 'no-cache', credentials: 'same-origin' });
  if (!isShell(response)) throw new Error(`the editor page answered ${response.status}`);
  const assets = await storeShell(response);
  const cache = await caches.open(CACHE_NAME);
  await Promise.all(
    [...assets].map(async (path) => {
      if (await cache.match(path)) return;
      const asset = await fetch(path, { credentials: 'same-origin' });
      if (!asset.ok) throw new Error(`${path} answered ${asset.status}`);
      await cache.put(path, asset);
    }),
  );
}

/** A plain 200 HTML page: a redirect, an error or anything else is never kept. */
function isShell(response) {
  const type = response.headers.get('content-type') || '';
  return (
    response.status === 200 &&
    response.type === 'basic' &&
    !response.redirected &&
    type.startsWith('text/html')
  );
}

/** Keeps `response` as the shell, drops cached assets it does not name; returns the named. */
async function storeShell(response) {
  const html = await response.clone().text();
  const assets = new Set([...html.matchAll(ASSET_REFERENCE)].map((match) => match[1]));
  const cache = await caches.open(CACHE_NAME);
  await cache.put(SHELL_KEY, response);
  if (assets.size > 0) {
    for (const request of await cache.keys()) {
      const path = new URL(request.url).pathname;
      if (ASSET_PATH.test(path) && !assets.has(path)) await cache.delete(request);
    }
  }
  return assets;
}

async function cachedShell() {
  const cache = await caches.open(CACHE_NAME);
  return (await cache.match(SHELL_KEY)) || null;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}
