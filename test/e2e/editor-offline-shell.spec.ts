/**
 * The editor reloads with the server down: the service worker (client/public/sw.js) answers
 * the page from its kept shell and its cached assets, the board comes from IndexedDB, edits
 * made then are kept, and they reach someone else once the server is back. One shell serves
 * every board; the viewer is never served offline. Without the service worker the reload
 * itself fails.
 */
import type { Page } from '@playwright/test';
import {
  contentRefusals,
  drawWith,
  expect,
  renderedTypes,
  test,
  waitForConnected,
} from './fixtures.ts';

const shapeCount = (page: Page) => page.evaluate(() => window.__boardcast.shapeCount());

test('with the server down, a reload shows the board, and edits made then reach B later', async ({
  openEditor,
  server,
  boardShapes,
}) => {
  test.setTimeout(90_000);
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  await expect.poll(async () => (await boardShapes()).length).toBe(1);

  // The worker controls the page and has kept it (and its assets) as the offline shell.
  await expect
    .poll(() => alice.evaluate(() => navigator.serviceWorker.controller !== null))
    .toBe(true);
  await expect(alice.locator('html')).toHaveAttribute('data-offline-shell', 'ready');

  await server.close();
  await alice.reload();
  await expect.poll(() => shapeCount(alice)).toBe(1);
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);
  await expect(alice.locator('#status')).toHaveAttribute('data-state', /waiting|connecting/);
  await expect(alice.locator('#status')).toContainText('Offline');

  // One shell serves every board; the embed viewer is never served offline.
  const other = await alice.context().newPage();
  const otherErrors: string[] = [];
  other.on('pageerror', (error) => otherErrors.push(error.message));
  await other.goto(`${server.url}/board/another-board`);
  await expect.poll(() => other.evaluate(() => window.__boardcast?.boardId)).toBe('another-board');
  await expect(other.goto(`${server.url}/view/some-view-id`)).rejects.toThrow(/ERR_/);
  await other.close();
  expect(otherErrors).toEqual([]);

  await drawWith(alice, 'o', { x: 500, y: 200 }, { x: 600, y: 300 });
  await expect.poll(() => shapeCount(alice)).toBe(2);
  await expect(alice.locator('#status')).toContainText('1 unsent change');

  await server.restart();
  // Backoff is capped at 10 s with full jitter, so reconnecting may take a few seconds.
  await waitForConnected(alice, 20_000);
  const bob = await openEditor('Bob');
  await expect.poll(() => renderedTypes(bob), { timeout: 20_000 }).toEqual(['ellipse', 'rect']);
  expect(await shapeCount(bob)).toBe(2);
  expect(await contentRefusals(server)).toEqual({});
  // openEditor's teardown fails the test on any uncaught page error, before or after reload.
});
