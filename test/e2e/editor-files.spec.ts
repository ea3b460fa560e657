/**
 * The board survives a reload; files: PNG export (2×), JSON import with new ids.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { rect } from '../helpers/shapes.ts';
import { drawWith, expect, renderedTypes, test, waitForConnected } from './fixtures.ts';

async function chooseFileMenu(page: Page, item: string): Promise<void> {
  await page.locator('#menu-button').click();
  await page.getByRole('menuitem', { name: item }).click();
}

test('a reload shows the same board', async ({ openEditor }) => {
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  await drawWith(alice, 'a', { x: 500, y: 200 }, { x: 600, y: 300 });
  await expect.poll(() => renderedTypes(alice)).toEqual(['arrow', 'rect']);
  const before = await alice.evaluate(() => window.__boardcast.shapes());

  await alice.reload();
  await waitForConnected(alice);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.shapes())).toEqual(before);
  await expect.poll(() => renderedTypes(alice)).toEqual(['arrow', 'rect']);
});

test('export PNG yields a 2× image of the board', async ({ openEditor }) => {
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  const [download] = await Promise.all([
    alice.waitForEvent('download'),
    chooseFileMenu(alice, 'Export PNG'),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.png$/);
  const png = await readFile(await download.path());
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  // IHDR: the 120×100 rectangle, its stroke and a 24-unit margin on each side, at 2×.
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * (122 + 48), 2 * (102 + 48)]);
  const leftEdgeIsInked = await alice.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(
      await (await fetch(`data:image/png;base64,${base64}`)).blob(),
    );
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const [r, g, b] = context.getImageData(2 * 25, bitmap.height / 2, 1, 1).data;
    return r! < 128 && g! < 128 && b! < 128;
  }, png.toString('base64'));
  expect(leftEdgeIsInked).toBe(true);
});

test('import JSON adds its shapes with new ids', async ({ openEditor, boardShapes }) => {
  const alice = await openEditor('Alice');
  const file = {
    shapes: [
      rect('imported-a', 300, 200),
      rect('imported-b', 500, 200),
      { id: 'bad', type: 'rect' },
    ],
  };
  await alice.locator('#import-input').setInputFiles({
    name: 'board.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(file)),
  });
  await expect.poll(async () => (await boardShapes()).length).toBe(2);
  const shapes = await boardShapes();
  expect(shapes.map((s) => [s.type, s.x, s.y])).toEqual([
    ['rect', 300, 200],
    ['rect', 500, 200],
  ]);
  expect(shapes.map((s) => s.id)).not.toContain('imported-a');
  expect(await alice.evaluate(() => window.__boardcast.selection().length)).toBe(2);
});
