/**
 * The canvas: pan (space-drag, hand tool, middle mouse), zoom (Ctrl+wheel, buttons, fit, 100%),
 * drawing lands where the pointer is at any zoom, and shapes off screen are culled.
 */
import type { Page } from '@playwright/test';
import { addShapes, updateShapes } from '../../common/board/board-doc.ts';
import { MAX_SPARE_NODES } from '../../client/render/shape-layer.ts';
import { rect } from '../helpers/shapes.ts';
import { drag, drawWith, expect, renderedShapes, renderedTypes, test } from './fixtures.ts';

const viewportOf = (page: Page) => page.evaluate(() => window.__boardcast.viewport());

/** Whether each shape's node is a child of the shape layer (culled shapes' nodes are not). */
const inLayer = async (page: Page) =>
  Object.fromEntries((await renderedShapes(page)).map((s) => [s.id, s.inLayer]));

/** The shape layer's pixel (r, g, b) at a board point, as drawn on screen. */
const pixelAt = (page: Page, x: number, y: number) =>
  page.evaluate(
    ({ bx, by }) => {
      const hooks = window.__boardcast;
      const layer = hooks.stage().getLayers()[0];
      if (!layer) throw new Error('no shape layer');
      const canvas = layer.getCanvas();
      const screen = hooks.toPage(bx, by);
      const box = hooks.stage().container().getBoundingClientRect();
      const ratio = canvas.getPixelRatio();
      const data = canvas
        .getContext()
        .getImageData(
          Math.round((screen.x - box.left) * ratio),
          Math.round((screen.y - box.top) * ratio),
          1,
          1,
        ).data;
      return [data[0], data[1], data[2]];
    },
    { bx: x, by: y },
  );

/**
 * Pans with the hand tool by `dx` screen pixels, in drags of 700 across the middle of the canvas
 * (clear of the panels at its sides), then takes the select tool again.
 */
async function panBy(page: Page, dx: number): Promise<void> {
  await page.keyboard.press('h');
  const step = Math.sign(dx) * 700;
  for (let done = 0; Math.abs(done) < Math.abs(dx); done += step) {
    const from = dx < 0 ? { x: 1000, y: 400 } : { x: 300, y: 400 };
    await drag(page, from, { x: from.x + step, y: from.y }, 2);
  }
  await page.keyboard.press('v');
}

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

test('a culled shape leaves the layer; panned back it is drawn and selectable, with remote changes', async ({
  openEditor,
  stockClient,
}) => {
  const seed = await stockClient();
  const red = { fill: '#ff0000', width: 100, height: 100 };
  addShapes(seed.doc, [rect('near', 300, 200, red), rect('far', 5000, 200, red)]);
  const alice = await openEditor('Alice');
  await expect.poll(() => inLayer(alice)).toEqual({ near: true, far: false });

  // Panned to: its node joins the layer, its pixels are drawn and a click selects it.
  await panBy(alice, -4200);
  await expect.poll(() => inLayer(alice)).toEqual({ near: false, far: true });
  await expect.poll(() => pixelAt(alice, 5050, 250)).toEqual([255, 0, 0]);
  const farCentre = await alice.evaluate(() => window.__boardcast.toPage(5050, 250));
  await alice.mouse.click(farCentre.x, farCentre.y);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual(['far']);
  await alice.keyboard.press('Escape');
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual([]);

  // Changed by someone else while off screen: drawn as changed when panned back to.
  await panBy(alice, 4200);
  await expect.poll(() => inLayer(alice)).toEqual({ near: true, far: false });
  updateShapes(seed.doc, new Map([['far', { x: 5200, y: 300, fill: '#0000ff' }]]));
  await expect
    .poll(async () =>
      (await alice.evaluate(() => window.__boardcast.shapes())).map((s) => s.x).sort(),
    )
    .toEqual([300, 5200]);
  expect(await inLayer(alice)).toEqual({ near: true, far: false });
  await panBy(alice, -4200);
  await expect.poll(() => inLayer(alice)).toEqual({ near: false, far: true });
  await expect.poll(() => pixelAt(alice, 5250, 350)).toEqual([0, 0, 255]);
  expect(await pixelAt(alice, 5050, 250)).not.toEqual([255, 0, 0]);
  const moved = await alice.evaluate(() => window.__boardcast.toPage(5250, 350));
  await alice.mouse.click(moved.x, moved.y);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual(['far']);
});

test('nodes of shapes long out of view are released; panned back to, they are drawn again', async ({
  openEditor,
  stockClient,
}) => {
  // Four clusters of 1,000 small shapes, one screen each, a pan of 8 drags apart.
  const CLUSTER = 1_000;
  const APART = 5_600;
  const seed = await stockClient();
  const red = { fill: '#ff0000', width: 10, height: 10 };
  addShapes(
    seed.doc,
    Array.from({ length: 4 * CLUSTER }, (_, n) => {
      const c = Math.floor(n / CLUSTER);
      const i = n % CLUSTER;
      return rect(
        `c${c}-${i}`,
        c * APART + 200 + (i % 40) * 20,
        150 + Math.floor(i / 40) * 20,
        red,
      );
    }),
  );
  const alice = await openEditor('Alice');
  const stats = () => alice.evaluate(() => window.__boardcast.renderStats());
  await expect.poll(async () => (await stats()).layerNodes).toBe(CLUSTER);
  for (let c = 1; c < 4; c++) {
    await panBy(alice, -APART);
    await expect.poll(async () => (await stats()).layerNodes).toBe(CLUSTER);
  }
  // Three clusters' nodes left the view; only the most recent MAX_SPARE_NODES are kept.
  const toured = await stats();
  expect(toured.spareNodes).toBeGreaterThan(0);
  expect(toured.spareNodes).toBeLessThanOrEqual(MAX_SPARE_NODES);

  await panBy(alice, 3 * APART);
  await expect.poll(async () => (await stats()).layerNodes).toBe(CLUSTER);
  await expect.poll(() => pixelAt(alice, 205, 155)).toEqual([255, 0, 0]);
});

test('a board whose shapes are all off screen opens with them in view', async ({
  openEditor,
  stockClient,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('far-away', 9000, 6000)]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);
  await expect
    .poll(async () => (await renderedShapes(alice)).map((s) => s.visible))
    .toEqual([true]);
});
