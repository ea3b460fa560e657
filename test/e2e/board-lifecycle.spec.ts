/**
 * A board's lifecycle in the browser: resetting the edit link from the Share dialog (the page
 * moves to the new URL and keeps every edit, the others on the old link are told), resetting the
 * view link (the viewer says so), and deleting the board from the menu.
 */
import type { Page } from '@playwright/test';
import { readShapes } from '../../common/board/board-doc.ts';
import { connectStockClient } from '../helpers/clients.ts';
import { drawWith, expect, test, waitForConnected } from './fixtures.ts';

const GONE_TEXT = 'This link was reset or the board deleted';

/** The shape types stored under `id`, as a fresh stock client syncs them from the server. */
async function storedTypes(wsUrl: string, id: string): Promise<string[]> {
  const client = connectStockClient(wsUrl, id);
  try {
    await client.synced;
    return readShapes(client.doc)
      .map((shape) => shape.type)
      .sort();
  } finally {
    client.destroy();
  }
}

/** The page's IndexedDB databases named like the editor's offline copies. */
function offlineCopies(page: Page): Promise<string[]> {
  return page.evaluate(async () =>
    (await indexedDB.databases())
      .map((database) => database.name ?? '')
      .filter((name) => name.startsWith('boardcast:'))
      .sort(),
  );
}

async function resetFromShareDialog(page: Page, button: 'Reset view link' | 'Reset edit link') {
  await page.getByRole('button', { name: 'Share' }).click();
  await page.getByRole('button', { name: button }).click();
  await page.getByRole('button', { name: 'Reset link' }).click();
}

test('resetting the edit link moves the page to the new link with every edit, and cuts off the old one', async ({
  openEditor,
  server,
  boardId,
}) => {
  const ann = await openEditor('Ann');
  const bob = await openEditor('Bob');
  await drawWith(ann, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  await expect.poll(() => storedTypes(server.wsUrl, boardId)).toEqual(['rect']);
  await expect.poll(() => offlineCopies(ann)).toEqual([`boardcast:${boardId}`]);

  await resetFromShareDialog(ann, 'Reset edit link');
  // An edit made while the link is being reset (its socket is being closed) is not lost.
  await ann.evaluate(() => window.__boardcast.addShapes(1));
  await expect(ann).not.toHaveURL(new RegExp(`/board/${boardId}`));
  const newId = new URL(ann.url()).pathname.split('/').pop() ?? '';
  expect(newId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  expect(new URL(ann.url()).searchParams.get('name')).toBe('Ann');
  await expect(ann.locator('.share-dialog input[aria-label="Edit link"]')).toHaveValue(
    new RegExp(`/board/${newId}$`),
  );
  await ann.keyboard.press('Escape');
  await waitForConnected(ann);
  await expect(bob.locator('#status')).toContainText(GONE_TEXT);
  await expect.poll(() => offlineCopies(bob)).toEqual([]);

  await drawWith(ann, 'o', { x: 600, y: 200 }, { x: 700, y: 300 });
  await expect.poll(() => storedTypes(server.wsUrl, newId)).toEqual(['ellipse', 'rect', 'rect']);
  await expect.poll(() => offlineCopies(ann)).toEqual([`boardcast:${newId}`]);
  expect(await ann.evaluate(() => window.__boardcast.boardId)).toBe(newId);

  const old = await ann.context().newPage();
  const oldPage = await old.goto(`${server.url}/board/${boardId}`);
  expect(oldPage?.status()).toBe(404);
  expect((await fetch(`${server.url}/api/boards/${boardId}`)).status).toBe(404);
  await old.close();

  // A reload on the new URL opens the same board.
  await ann.reload();
  await waitForConnected(ann);
  await expect.poll(() => ann.evaluate(() => window.__boardcast.shapeCount())).toBe(3);
});

test('resetting the view link tells its viewers and leaves the editors alone', async ({
  openEditor,
  server,
  boardId,
  browser,
}) => {
  const ann = await openEditor('Ann');
  const links = (await (await fetch(`${server.url}/api/boards/${boardId}/links`)).json()) as {
    viewUrl: string;
  };
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(links.viewUrl);
  await expect(viewer.locator('#live-dot')).toHaveAttribute('data-state', 'live');

  await resetFromShareDialog(ann, 'Reset view link');
  await expect(viewer.locator('#live-dot')).toHaveAttribute('data-state', 'gone');
  await expect(viewer.locator('#live-label')).toHaveText(GONE_TEXT);
  const shown = ann.locator('.share-dialog input[aria-label="View link"]');
  await expect(shown).not.toHaveValue(links.viewUrl);
  await expect(ann.locator('#status')).toHaveAttribute('data-state', 'connected');
  await viewerContext.close();
});

test('deleting the board from the menu asks first, naming it, then closes it for everyone', async ({
  openEditor,
  server,
  boardId,
}) => {
  const ann = await openEditor('Ann');
  const bob = await openEditor('Bob');
  await drawWith(ann, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  await expect.poll(() => storedTypes(server.wsUrl, boardId)).toEqual(['rect']);

  await ann.locator('#menu-button').click();
  await ann.getByRole('menuitem', { name: 'Delete board…' }).click();
  const question = ann.locator('.confirm-dialog');
  await expect(question).toContainText(`“${boardId}”`);
  await question.getByRole('button', { name: 'Cancel' }).click();
  expect((await fetch(`${server.url}/api/boards/${boardId}`)).status).toBe(200);

  await ann.locator('#menu-button').click();
  await ann.getByRole('menuitem', { name: 'Delete board…' }).click();
  await ann.locator('.confirm-dialog').getByRole('button', { name: 'Delete board' }).click();
  for (const page of [ann, bob]) await expect(page.locator('#status')).toContainText(GONE_TEXT);
  expect((await fetch(`${server.url}/api/boards/${boardId}`)).status).toBe(404);
  for (const page of [ann, bob]) await expect.poll(() => offlineCopies(page)).toEqual([]);
});
