/**
 * The embed-only viewer in a real browser: it draws the board with the editor's Konva code,
 * follows a stock y-websocket client's changes live, reconnects, falls back to long polling,
 * works in an iframe on another origin, and ships without Yjs. Needs `npx vite build` first.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { addShapes, removeShapes, updateShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import { rect } from '../helpers/shapes.ts';
import { ROOT } from '../helpers/test-server.ts';
import { expect, test } from './fixtures.ts';

interface Links {
  viewUrl: string;
  viewId: string;
  embedHtml: string;
}

const SHAPES: Shape[] = [
  rect('box', 0, 0),
  { ...rect('arrow', 200, 40), type: 'arrow', points: [0, 0, 120, 60] },
  { ...rect('pen', 0, 200), type: 'pen', points: [0, 0, 10, 5, 30, 20, 60, 25] },
  {
    ...rect('note', 300, 200),
    type: 'sticky',
    width: 160,
    height: 120,
    text: 'Hello <b>viewer</b>',
  },
  { ...rect('label', 40, 380), type: 'text', width: 0, text: 'A label' },
];

const drawn = (page: Page) => page.evaluate(() => window.__boardcastViewer?.drawnShapes() ?? []);
const viewerState = (page: Page) =>
  page.evaluate(() => window.__boardcastViewer?.state() ?? 'none');

async function linksOf(url: string, boardId: string): Promise<Links> {
  return (await (await fetch(`${url}/api/boards/${boardId}/links`)).json()) as Links;
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('the viewer draws the board, fitted, and redraws when a stock client changes it', async ({
  page,
  server,
  boardId,
  stockClient,
}) => {
  const editor = await stockClient();
  addShapes(editor.doc, SHAPES);
  const errors = collectErrors(page);
  const { viewUrl, viewId } = await linksOf(server.url, boardId);
  expect(viewUrl).toContain(`/view/${viewId}`);
  await page.goto(viewUrl);
  await expect.poll(() => viewerState(page)).toBe('live');
  await expect
    .poll(async () => (await drawn(page)).map((s) => s.id).sort())
    .toEqual(['arrow', 'box', 'label', 'note', 'pen']);
  await expect(page.locator('#live-dot')).toHaveAttribute('data-state', 'live');
  expect(await page.evaluate(() => window.__boardcastViewer?.zoom())).toBeLessThanOrEqual(1);

  updateShapes(editor.doc, new Map([['box', { x: 90, fill: '#ff0000' }]]));
  removeShapes(editor.doc, ['pen']);
  await expect.poll(async () => (await drawn(page)).find((s) => s.id === 'box')?.x).toBe(90);
  expect((await drawn(page)).map((s) => s.id)).not.toContain('pen');
  expect(
    await page.evaluate(() => document.body.innerHTML.includes(location.pathname.slice(6))),
  ).toBe(false);
  expect(errors).toEqual([]);
});

test('the viewer reconnects after the server restarts and keeps following the board', async ({
  page,
  server,
  boardId,
  stockClient,
}) => {
  const editor = await stockClient();
  addShapes(editor.doc, [rect('before')]);
  const { viewUrl } = await linksOf(server.url, boardId);
  await page.goto(viewUrl);
  await expect.poll(async () => (await drawn(page)).length).toBe(1);
  editor.destroy();
  await server.close();
  await expect.poll(() => viewerState(page)).toBe('reconnecting');
  await server.restart();
  const again = await stockClient();
  addShapes(again.doc, [rect('after', 300, 0)]);
  await expect
    .poll(async () => (await drawn(page)).map((s) => s.id).sort(), { timeout: 15_000 })
    .toEqual(['after', 'before']);
  await expect.poll(() => viewerState(page)).toBe('live');
  expect(
    await page.evaluate(() => window.__boardcastViewer?.transport()),
    'a restart is no reason to leave SSE',
  ).toBe('sse');
});

test('the viewer falls back to long polling when SSE keeps failing, and on ?transport=longpoll', async ({
  page,
  server,
  boardId,
  stockClient,
}) => {
  const editor = await stockClient();
  addShapes(editor.doc, [rect('first')]);
  const { viewUrl } = await linksOf(server.url, boardId);
  await page.route('**/events*', (route) =>
    route.fulfill({ status: 503, body: 'no streams here' }),
  );
  await page.goto(viewUrl);
  await expect
    .poll(() => page.evaluate(() => window.__boardcastViewer?.transport()), { timeout: 15_000 })
    .toBe('longpoll');
  await expect.poll(async () => (await drawn(page)).length).toBe(1);
  addShapes(editor.doc, [rect('second', 200, 0)]);
  await expect.poll(async () => (await drawn(page)).length).toBe(2);
  await expect.poll(() => viewerState(page)).toBe('live');

  const polling = await page.context().newPage();
  await polling.goto(`${viewUrl}?transport=longpoll`);
  await expect.poll(async () => (await drawn(polling)).length).toBe(2);
  removeShapes(editor.doc, ['first']);
  await expect.poll(async () => (await drawn(polling)).map((s) => s.id)).toEqual(['second']);
  expect(await polling.evaluate(() => window.__boardcastViewer?.transport())).toBe('longpoll');
});

test('the embed snippet shows the live board inside a page on another origin', async ({
  page,
  server,
  boardId,
  stockClient,
}) => {
  const editor = await stockClient();
  addShapes(editor.doc, [rect('embedded')]);
  const { embedHtml } = await linksOf(server.url, boardId);
  const host = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Someone else's site</title><h1>Our retro</h1>${embedHtml}`);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  try {
    const port = (host.address() as AddressInfo).port;
    await page.goto(`http://localhost:${port}/`);
    const frame = page.frameLocator('iframe');
    await expect(frame.locator('#live-dot')).toHaveAttribute('data-state', 'live');
    const viewer = page.frames().find((f) => f.url().includes('/view/'));
    expect(viewer).toBeDefined();
    expect(new URL(viewer!.url()).origin).not.toBe(new URL(page.url()).origin);
    addShapes(editor.doc, [rect('added-later', 200, 100)]);
    await expect
      .poll(() =>
        viewer!.evaluate(() =>
          window.__boardcastViewer
            ?.drawnShapes()
            .map((s) => s.id)
            .sort(),
        ),
      )
      .toEqual(['added-later', 'embedded']);
  } finally {
    await new Promise((resolve) => host.close(resolve));
  }
});

test('the viewer says so when the board does not exist', async ({ page, server }) => {
  await page.goto(`${server.url}/view/no-such-board-here`);
  await expect(page.locator('#live-dot')).toHaveAttribute('data-state', 'not-found');
});

test('the built viewer bundle contains no Yjs', () => {
  const dist = path.join(ROOT, 'dist');
  const html = fs.readFileSync(path.join(dist, 'viewer.html'), 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
    (m) => m[1] as string,
  );
  expect(queue.some((file) => /^assets\/viewer-.*\.js$/.test(file))).toBe(true);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const m of code.matchAll(/from\s*"\.\/([^"]+\.js)"|import\(\s*"\.\/([^"]+\.js)"\s*\)/g))
      queue.push(`assets/${m[1] ?? m[2]}`);
    expect(code, file).not.toMatch(/Yjs was already imported|yjs/i);
  }
  // The same check finds Yjs where it is: in the editor's bundle.
  const editor = fs
    .readdirSync(path.join(dist, 'assets'))
    .find((name) => /^editor-.*\.js$/.test(name)) as string;
  expect(fs.readFileSync(path.join(dist, 'assets', editor), 'utf8')).toMatch(
    /Yjs was already imported/,
  );
});
