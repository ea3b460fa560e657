/**
 * Dark mode and recent boards (issue 12, items 6 and 7). Dark: the editor follows the system's
 * colour scheme and draws board colours adapted (a pale blue fill turns deep blue, dark ink
 * light) while the document keeps the colours people picked; the menu's theme picker overrides
 * the system and is remembered; the viewer follows the system. Recent boards: the menu lists
 * the boards this browser opened, with a thumbnail from the board's SVG, and "New board" makes
 * a new one.
 */
import { addShapes } from '../../common/board/board-doc.ts';
import { rect } from '../helpers/shapes.ts';
import { DevicePages, canvasPixel } from './device-pages.ts';
import { expect, test } from './fixtures.ts';

const PALE_BLUE = '#a5d8ff';
const INK = '#1e1e1e';

test.describe('dark mode', () => {
  test('follows the system, adapts board colours on screen only, and the picker overrides it', async ({
    browser,
    server,
    boardId,
    stockClient,
    boardShapes,
  }) => {
    const seed = await stockClient();
    addShapes(seed.doc, [
      rect('box', 100, 100, { width: 400, height: 300, stroke: INK, fill: PALE_BLUE }),
    ]);
    const pages = new DevicePages(browser);
    const url = `${server.url}/board/${boardId}?name=Dana`;
    const light = await pages.open(url, { colorScheme: 'light' });
    const dark = await pages.open(url, { colorScheme: 'dark' });
    for (const page of [light, dark])
      await expect.poll(() => page.evaluate(() => window.__boardcast.shapeCount())).toBe(1);
    await light.evaluate(() => window.__boardcast.setViewport(0, 0, 1));
    await dark.evaluate(() => window.__boardcast.setViewport(0, 0, 1));

    await expect(light.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect(dark.locator('html')).toHaveAttribute('data-theme', 'dark');
    // Inside the rectangle (board 300, 250 at zoom 1, no pan): the fill as drawn.
    const fillAt = (page: typeof light) => canvasPixel(page, 300, 250);
    await expect.poll(() => fillAt(light)).toEqual([0xa5, 0xd8, 0xff, 255]);
    const darkFill = await fillAt(dark);
    expect(darkFill[2], 'a deep blue').toBeGreaterThan(darkFill[0] ?? 0);
    expect((darkFill[0] ?? 0) + (darkFill[1] ?? 0) + (darkFill[2] ?? 0)).toBeLessThan(3 * 128);
    const lightShot = await light.locator('#canvas').screenshot();
    const darkShot = await dark.locator('#canvas').screenshot();
    expect(lightShot.equals(darkShot)).toBe(false);
    // The page chrome is dark too.
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 18, 18)');

    // The picker: Dark on the light system, remembered across a reload; System goes back.
    await light.locator('#menu-button').click();
    await light.locator('#theme-picker [data-theme-choice="dark"]').click();
    await expect(light.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect.poll(() => fillAt(light)).toEqual(darkFill);
    await light.reload();
    await expect(light.locator('html')).toHaveAttribute('data-theme', 'dark');
    await light.locator('#menu-button').click();
    await expect(light.locator('#theme-picker [data-theme-choice="dark"]')).toHaveAttribute(
      'aria-checked',
      'true',
    );
    await light.locator('#theme-picker [data-theme-choice="system"]').click();
    await expect(light.locator('html')).toHaveAttribute('data-theme', 'light');
    await dark.locator('#menu-button').click();
    await dark.locator('#theme-picker [data-theme-choice="light"]').click();
    await expect(dark.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect.poll(() => fillAt(dark)).toEqual([0xa5, 0xd8, 0xff, 255]);

    // Only the drawing changed: the document keeps the colours that were picked.
    const [stored] = await boardShapes();
    expect([stored?.stroke, stored?.fill]).toEqual([INK, PALE_BLUE]);
    expect(await dark.evaluate(() => window.__boardcast.shapes().map((s) => s.fill))).toEqual([
      PALE_BLUE,
    ]);
    await pages.closeAll();
    expect(pages.errors).toEqual([]);
  });

  test('the viewer follows the system theme', async ({ browser, server, boardId, stockClient }) => {
    const seed = await stockClient();
    addShapes(seed.doc, [rect('box', 0, 0, { fill: PALE_BLUE })]);
    const links = (await (await fetch(`${server.url}/api/boards/${boardId}/links`)).json()) as {
      viewId: string;
    };
    const pages = new DevicePages(browser);
    const dark = await pages.open(`${server.url}/view/${links.viewId}`, { colorScheme: 'dark' });
    const light = await pages.open(`${server.url}/view/${links.viewId}`, { colorScheme: 'light' });
    await expect(dark.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(light.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      'rgb(18, 18, 18)',
    );
    for (const page of [dark, light])
      await expect
        .poll(() => page.evaluate(() => window.__boardcastViewer?.drawnShapes().length))
        .toBe(1);
    const darkShot = await dark.locator('#canvas').screenshot();
    expect(darkShot.equals(await light.locator('#canvas').screenshot())).toBe(false);
    await pages.closeAll();
    expect(pages.errors).toEqual([]);
  });
});

test('the menu lists the boards this browser opened, with thumbnails, and makes new ones', async ({
  browser,
  server,
  boardId,
  stockClient,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('box', 0, 0, { fill: PALE_BLUE })]);
  const pages = new DevicePages(browser);
  const page = await pages.open(`${server.url}/board/${boardId}?name=Dana`);
  const second = `${boardId}-b`;
  await page.goto(`${server.url}/board/${second}?name=Dana`);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected');

  await page.locator('#menu-button').click();
  const listed = page.locator('#recent-boards .recent-board');
  // The board open here is not listed; the first one is, with its PNG thumbnail.
  await expect(listed).toHaveCount(1);
  const first = listed.first();
  await expect(first).toHaveAttribute('href', `/board/${boardId}`);
  await expect(first).toContainText(boardId);
  await expect(first).toContainText('just now');
  const thumb = first.locator('img.recent-thumb');
  await expect(thumb).toHaveAttribute('src', `/api/boards/${boardId}.png?width=112`);
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);

  // New board: GET / makes one and redirects; it lists both boards opened before.
  await page.locator('#new-board').click();
  await page.waitForURL(
    (url) => url.pathname.startsWith('/board/') && !url.pathname.includes(boardId),
  );
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected');
  await page.locator('#menu-button').click();
  await expect(page.locator('#recent-boards .recent-board')).toHaveCount(2);
  expect(
    await page
      .locator('#recent-boards .recent-board')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.boardId)),
  ).toEqual([second, boardId]);

  // Opening one from the list goes there.
  await page.locator(`#recent-boards [data-board-id="${boardId}"]`).click();
  await page.waitForURL(`**/board/${boardId}`);
  await expect.poll(() => page.evaluate(() => window.__boardcast.shapeCount())).toBe(1);
  await pages.closeAll();
  expect(pages.errors).toEqual([]);
});
