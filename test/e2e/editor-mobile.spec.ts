/**
 * The editor on a phone (issue 12, item 5): at 390×844 with touch every tool, Share and the
 * style sheet are on screen and can be tapped, every touch target is at least 40 px, drawing
 * works with taps and drags of a finger, and a long-press opens the context menu where the
 * finger is (through the `contextmenu` event a right-click fires) without drawing anything.
 */
import type { Browser, CDPSession, Locator, Page } from '@playwright/test';
import { DevicePages, PHONE } from './device-pages.ts';
import { expect, test, type Point } from './fixtures.ts';

const MIN_TARGET_PX = 40;

/** Asserts `locator` is shown wholly inside the 390×844 screen and at least 40 px each way. */
async function expectReachable(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  if (!box) return;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.y + box.height).toBeLessThanOrEqual(844);
  expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(MIN_TARGET_PX);
}

/**
 * One finger: down at `from`, through `steps` moves, up at `to` (real touch events), one move
 * per frame as a touch screen reports them. Such a quick drag leaves Chrome sending no click for
 * the next tap (it stops the fling); picking a tool right after one checks the editor answers the
 * tap itself (ui/touch-taps.ts).
 */
async function touchDrag(
  page: Page,
  cdp: CDPSession,
  from: Point,
  to: Point,
  steps = 8,
): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
  for (let i = 1; i <= steps; i++) {
    await page.waitForTimeout(16);
    const point = {
      x: from.x + ((to.x - from.x) * i) / steps,
      y: from.y + ((to.y - from.y) * i) / steps,
    };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function longPress(page: Page, cdp: CDPSession, at: Point): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
  await page.waitForTimeout(800); // past the 500 ms long-press, finger still
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Taps the tool's button, opening "More tools" first when it is folded there. */
async function pickTool(page: Page, tool: string): Promise<void> {
  const button = page.locator(`.tool-button[data-tool="${tool}"]`);
  if (!(await button.isVisible())) await page.locator('#more-tools').tap();
  await expectReachable(button);
  await button.tap();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
}

async function openPhone(browser: Browser, url: string) {
  const pages = new DevicePages(browser);
  const page = await pages.open(url, PHONE);
  const cdp = await page.context().newCDPSession(page);
  return { pages, page, cdp };
}

test('on a phone every tool, Share and the style sheet can be reached and tapped', async ({
  browser,
  server,
  boardId,
}) => {
  const { pages, page } = await openPhone(browser, `${server.url}/board/${boardId}?name=Pat`);
  const tools = await page
    .locator('.tool-button[data-tool]')
    .evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.tool ?? ''));
  expect(tools.length).toBeGreaterThanOrEqual(9);
  // Some tools do not fit the bar: they are in More, which is itself on screen.
  await expectReachable(page.locator('#more-tools'));
  for (const tool of tools) await pickTool(page, tool);

  await expectReachable(page.locator('#share-button'));
  await expectReachable(page.locator('#menu-button'));
  await expectReachable(page.locator('#avatars .avatar').first());
  for (const id of ['#undo-button', '#redo-button', '#zoom-reset', '#zoom-fit', '#help-button'])
    await expectReachable(page.locator(id));

  // The style panel is a sheet, closed until asked for; its options are finger-sized.
  await expect(page.locator('#style-panel')).toBeHidden();
  await expectReachable(page.locator('#style-toggle'));
  await page.locator('#style-toggle').tap();
  const red = page.locator('#style-panel [data-style="stroke"][data-value="#e03131"]');
  await expectReachable(red);
  await red.tap();
  await expect(red).toHaveAttribute('aria-pressed', 'true');
  await page.locator('#style-panel .sheet-close').tap();
  await expect(page.locator('#style-panel')).toBeHidden();

  await page.locator('#share-button').tap();
  await expect(page.locator('dialog[open]')).toBeVisible();
  await pages.closeAll();
  expect(pages.errors).toEqual([]);
});

test('on a phone a finger draws: a tap and drags make shapes, in the chosen style', async ({
  browser,
  server,
  boardId,
  boardShapes,
}) => {
  const { pages, page, cdp } = await openPhone(browser, `${server.url}/board/${boardId}?name=Pat`);
  await page.evaluate(() => window.__boardcast.setViewport(0, 0, 1));
  await page.locator('#style-toggle').tap();
  await page.locator('#style-panel [data-style="stroke"][data-value="#1971c2"]').tap();
  await page.locator('#style-panel .sheet-close').tap();

  await pickTool(page, 'rect');
  await page.touchscreen.tap(60, 150); // a tap: a default-size rectangle
  await pickTool(page, 'ellipse');
  await touchDrag(page, cdp, { x: 60, y: 400 }, { x: 260, y: 500 });
  await pickTool(page, 'pen');
  await touchDrag(page, cdp, { x: 60, y: 560 }, { x: 300, y: 620 }, 12);

  await expect
    .poll(async () => (await boardShapes()).map((s) => s.type).sort())
    .toEqual(['ellipse', 'pen', 'rect']);
  const shapes = await boardShapes();
  const ellipse = shapes.find((s) => s.type === 'ellipse');
  expect([ellipse?.x, ellipse?.y, ellipse?.width, ellipse?.height]).toEqual([60, 400, 200, 100]);
  expect(new Set(shapes.map((s) => s.stroke))).toEqual(new Set(['#1971c2']));
  await pages.closeAll();
  expect(pages.errors).toEqual([]);
});

test('a long-press opens the context menu where the finger is, and draws nothing', async ({
  browser,
  server,
  boardId,
  boardShapes,
}) => {
  const { pages, page, cdp } = await openPhone(browser, `${server.url}/board/${boardId}?name=Pat`);
  await page.evaluate(() => {
    const seen: { x: number; y: number; button: number }[] = [];
    (window as unknown as { contextMenus: typeof seen }).contextMenus = seen; // a test-only global
    window.addEventListener('contextmenu', (event) =>
      seen.push({ x: event.clientX, y: event.clientY, button: event.button }),
    );
  });
  const menuEvents = () =>
    page.evaluate(
      () => (window as unknown as { contextMenus: { x: number; y: number }[] }).contextMenus, // set above
    );
  const menu = page.locator('#context-menu');
  await page.evaluate(() => window.__boardcast.setViewport(0, 0, 1));
  await pickTool(page, 'rect');
  await touchDrag(page, cdp, { x: 60, y: 200 }, { x: 260, y: 320 });
  await expect.poll(async () => (await boardShapes()).length).toBe(1);
  const [rect] = await boardShapes();

  // A quick tap is a tap, not a long-press.
  await page.touchscreen.tap(300, 600);
  expect(await menuEvents()).toEqual([]);
  await expect(menu).toBeHidden();

  // Held on the rectangle with the select tool: it is selected and the menu opens there, once.
  await longPress(page, cdp, { x: 150, y: 260 });
  await expect(menu).toBeVisible();
  expect(await menuEvents()).toEqual([{ x: 150, y: 260, button: 2 }]);
  expect(await page.evaluate(() => window.__boardcast.selection())).toEqual([rect?.id]);
  const box = await menu.boundingBox();
  expect(box?.x).toBe(150);
  expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(844);
  await expectReachable(menu.locator('[data-menu-item="delete"]'));
  await page.touchscreen.tap(30, 660); // elsewhere (left of the menu): it closes
  await expect(menu).toBeHidden();

  // Held with a drawing tool: the shape it began is dropped; the menu opens instead.
  await pickTool(page, 'ellipse');
  await longPress(page, cdp, { x: 200, y: 500 });
  await expect(menu).toBeVisible();
  expect((await menuEvents()).length).toBe(2);
  expect((await boardShapes()).length).toBe(1);
  await pickTool(page, 'select'); // a press outside closes the menu
  await expect(menu).toBeHidden();

  // A finger that moves is a drag, not a long-press.
  await pickTool(page, 'rect');
  await touchDrag(page, cdp, { x: 60, y: 560 }, { x: 200, y: 640 });
  await expect.poll(async () => (await boardShapes()).length).toBe(2);
  expect((await menuEvents()).length).toBe(2);
  await expect(menu).toBeHidden();

  // The menu works by touch: Delete on the first rectangle removes it.
  await longPress(page, cdp, { x: 150, y: 260 });
  await menu.locator('[data-menu-item="delete"]').tap();
  await expect.poll(async () => (await boardShapes()).map((s) => s.id)).not.toContain(rect?.id);
  expect((await boardShapes()).length).toBe(1);
  await pages.closeAll();
  expect(pages.errors).toEqual([]);
});
