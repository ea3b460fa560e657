/**
 * The canvas: pan (space-drag, hand tool, middle mouse), zoom (Ctrl+wheel, buttons, fit, 100%),
 * drawing lands where the pointer is at any zoom, and shapes off screen are culled.
 */
import type { Page } from '@playwright/test';
import { addShapes } from '../../common/board/board-doc.ts';
import { rect } from '../helpers/shapes.ts';
import { drag, drawWith, expect, renderedShapes, renderedTypes, test } from './fixtures.ts';

const viewportOf = (page: Page) => page.evaluate(() => window.__boardcast.viewport());

test('pan and zoom with the mouse, keys and buttons; drawing follows the zoom', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');

  await alice.keyboard.down('Space');
  await drag(alice, { x: 600, y: 400 }, { x: 700, y: 450 });
  await alice.keyboard.up('Space');
  expect(await viewportOf(alice)).toEqual({ x: 100, y: 50, zoom: 1 });

  await alice.mouse.move(600, 400);
  await alice.mouse.down({ button: 'middle' });
  await alice.mouse.move(550, 380, { steps: 4 });
  await alice.mouse.up({ button: 'middle' });
  expect(await viewportOf(alice)).toEqual({ x: 50, y: 30, zoom: 1 });

  await alice.mouse.move(650, 430);
  await alice.keyboard.down('Control');
  await alice.mouse.wheel(0, -400);
  await alice.keyboard.up('Control');
  await expect.poll(async () => (await viewportOf(alice)).zoom).toBeCloseTo(2, 5);

  // At 2× with pan (−550, −370): screen (650, 430) is board (600, 400).
  await drawWith(alice, 'r', { x: 650, y: 430 }, { x: 850, y: 630 });
  await expect
    .poll(async () => (await boardShapes()).map((s) => [s.x, s.y, s.width, s.height]))
    .toEqual([[600, 400, 100, 100]]);

  await alice.locator('#zoom-reset').click();
  expect((await viewportOf(alice)).zoom).toBe(1);
  await expect(alice.locator('#zoom-reset')).toHaveText('100%');
  await alice.locator('#zoom-in').click();
  expect((await viewportOf(alice)).zoom).toBeCloseTo(1.5, 5); // the next round step
  await alice.locator('#zoom-fit').click();
  // Fit never zooms past 100% and centres the shape's ink on the 1280×800 canvas.
  const fitted = await viewportOf(alice);
  expect(fitted.zoom).toBe(1);
  expect([fitted.x + 650 * fitted.zoom, fitted.y + 450 * fitted.zoom]).toEqual([640, 400]);
});

test('shapes outside the viewport are culled and come back when panned to', async ({
  openEditor,
  stockClient,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('near', 300, 200), rect('far', 5000, 200)]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect', 'rect']);
  const visibility = async () =>
    Object.fromEntries((await renderedShapes(alice)).map((s) => [s.id, s.visible]));
  expect(await visibility()).toEqual({ near: true, far: false });

  await alice.keyboard.press('h');
  for (let i = 0; i < 5; i++) await drag(alice, { x: 1100, y: 400 }, { x: 300, y: 400 }, 2);
  expect(await visibility()).toEqual({ near: false, far: true });
});
