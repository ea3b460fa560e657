/**
 * The page routes over HTTP: the editor and viewer pages, the service worker script with the
 * headers a service worker needs, the hashed assets (and nothing else under /assets/), and 400
 * for a page with an invalid board id. Serves the built client: builds dist/ first if it is
 * missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, startTestServer, type TestServer } from '../helpers/test-server.ts';

const DIST = path.join(ROOT, 'dist');
const BUILT_FILES = ['editor.html', 'viewer.html', 'sw.js'];

async function ensureClientBuilt(): Promise<void> {
  if (BUILT_FILES.every((file) => fs.existsSync(path.join(DIST, file)))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/** The page as built: the Open Graph tags the server adds before `</head>` taken out. */
function withoutPreviewTags(html: string): string {
  return html.replace(/<meta (property="og:|name="twitter:)[^>]*>/g, '');
}

describe('page routes', () => {
  let server: TestServer;
  const get = (pathname: string, init?: RequestInit) => fetch(`${server.url}${pathname}`, init);

  before(async () => {
    await ensureClientBuilt();
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('serves /sw.js from dist/ as JavaScript, uncached, allowed to control the whole site', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await get('/sw.js', { method });
      assert.equal(response.status, 200, method);
      assert.equal(response.headers.get('service-worker-allowed'), '/');
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript\b/);
      const body = await response.text();
      if (method === 'GET') assert.equal(body, fs.readFileSync(path.join(DIST, 'sw.js'), 'utf8'));
    }
  });

  it('serves the editor page at /board/<id>, for any valid id', async () => {
    for (const id of ['team-retro', 'A_b-9', 'x'.repeat(64)]) {
      const response = await get(`/board/${id}`);
      assert.equal(response.status, 200, id);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html\b/);
      const html = await response.text();
      assert.equal(
        withoutPreviewTags(html),
        fs.readFileSync(path.join(DIST, 'editor.html'), 'utf8'),
      );
      assert.match(html, /<script type="module"[^>]* src="\/assets\/editor-[^"]+\.js"/);
    }
  });

  it('serves the viewer page at /view/<id>', async () => {
    const response = await get('/view/some-view-id');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html\b/);
    const html = await response.text();
    assert.equal(withoutPreviewTags(html), fs.readFileSync(path.join(DIST, 'viewer.html'), 'utf8'));
    assert.match(html, /src="\/assets\/viewer-[^"]+\.js"/);
  });

  it('gives the pages of an existing board Open Graph tags whose image is its PNG by the view id', async () => {
    const links = (await (await get('/api/boards/og-board/links')).json()) as {
      viewId: string;
    };
    const expected = `${server.url}/api/boards/${links.viewId}.png?width=1200`;
    for (const page of ['/board/og-board', `/view/${links.viewId}`]) {
      const html = await (await get(page)).text();
      const image = /<meta property="og:image" content="([^"]+)"/.exec(html)?.[1];
      assert.equal(image?.replaceAll('&amp;', '&'), expected, page);
      assert.match(html, /<meta property="og:title" content="Boardcast board"/);
      assert.ok(!html.includes('og-board.png'), 'the preview must not carry the edit id');
    }
    const png = await fetch(expected);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    // A name that is no board yet has nothing to preview (and opening the page creates nothing).
    const fresh = await (await get('/board/og-not-yet')).text();
    assert.doesNotMatch(fresh, /og:image/);
  });

  it('answers 400 to a page with an invalid board id', async () => {
    for (const id of ['bad%20id', 'a.b', 'x'.repeat(65), '%C3%A9t%C3%A9', '%2e%2e%2Fetc']) {
      assert.equal((await get(`/board/${id}`)).status, 400, `/board/${id}`);
      assert.equal((await get(`/view/${id}`)).status, 400, `/view/${id}`);
    }
  });

  it('serves a built asset, immutable', async () => {
    const html = fs.readFileSync(path.join(DIST, 'editor.html'), 'utf8');
    const asset = /src="(\/assets\/[^"]+)"/.exec(html)?.[1];
    assert.ok(asset, 'editor.html names an asset');
    const response = await get(asset);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript\b/);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
  });

  it('answers 404 to an asset name that tries to leave dist/assets or is otherwise odd', async () => {
    const names = [
      '..%2Fpackage.json',
      '..%2F..%2Fpackage.json',
      '%2e%2e%2Feditor.html',
      '..%5Cpackage.json',
      '.env',
      'sw.js',
      'nothing-here.js',
      '%00editor.js',
      'a%2Fb.js',
      `${'a'.repeat(240)}.js`,
    ];
    for (const name of names) {
      const response = await get(`/assets/${name}`);
      assert.equal(response.status, 404, `/assets/${name}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json\b/);
    }
  });
});
