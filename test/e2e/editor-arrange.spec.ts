/**
 * Issue 11, items 3, 4 and 6 (test/e2e/editor-arrange.spec.ts): stroke style, opacity and custom
 * colours reaching another browser and the SVG; the selection cleared by a drawing tool; groups
 * and locks; snapping, align and distribute; alt-drag; the context menu.
 */
import type { Page } from '@playwright/test';
import type Konva from 'konva';
import { addShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import { rect } from '../helpers/shapes.ts';
import { expect, renderedTypes, test } from './fixtures.ts';

/** How `page` draws shape `id`: its group's opacity and its outline's dash. */
function drawnStyle(page: Page, id: string) {
  return page.evaluate((shapeId) => {
    const group = window.__boardcast.stage().findOne<Konva.Group>(`#${shapeId}`);
    const outline = group?.getChildren()[0] as Konva.Shape | undefined;
    return group && outline
      ? { opacity: group.opacity(), dash: outline.dash(), stroke: outline.stroke() }
      : null;
  }, id);
}

function selection(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__boardcast.selection().sort());
}

function byId(shapes: Shape[], id: string): Shape | undefined {
  return shapes.find((shape) => shape.id === id);
}

test('stroke style, opacity and a custom colour reach the other browser and the SVG', async ({
  openEditor,
  stockClient,
  boardShapes,
  server,
  boardId,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('box', 300, 200, { width: 160, height: 100 })]);
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await expect.poll(() => renderedTypes(bob)).toEqual(['rect']);

  await alice.mouse.click(300, 250);
  await expect.poll(() => selection(alice)).toEqual(['box']);
  await alice.locator('[data-style="strokeStyle"][data-value="dashed"]').click();
  await alice.locator('#style-opacity').fill('50');
  await alice.locator('[data-custom-color="stroke"]').fill('#123456');

  await expect
    .poll(async () => {
      const box = byId(await boardShapes(), 'box');
      return [box?.strokeStyle, box?.opacity, box?.stroke];
    })
    .toEqual(['dashed', 0.5, '#123456']);
  await expect
    .poll(() => drawnStyle(bob, 'box'))
    .toEqual({ opacity: 0.5, dash: [8, 6], stroke: '#123456' });
  const svg = async () => (await fetch(`${server.url}/api/boards/${boardId}.svg`)).text();
  await expect.poll(svg).toMatch(/data-id="box"[^>]*stroke-dasharray="8 6"[^>]*opacity="0.5"/);

  // Dotted, on Bob's side this time, reaches Alice.
  await bob.mouse.click(300, 250);
  await bob.locator('[data-style="strokeStyle"][data-value="dotted"]').click();
  await expect.poll(async () => (await drawnStyle(alice, 'box'))?.dash).toEqual([0, 5]);
  await expect.poll(svg).toContain('stroke-dasharray="0 5" stroke-linecap="round"');
});

test('picking a drawing tool clears the selection, so Delete removes nothing unseen', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('box', 300, 200)]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);
  await alice.mouse.click(300, 220);
  await expect.poll(() => selection(alice)).toEqual(['box']);
  await alice.keyboard.press('r');
  expect(await selection(alice)).toEqual([]);
  await alice.locator('[data-tool="pen"]').click();
  await alice.keyboard.press('Delete');
  await alice.keyboard.press('Escape');
  expect((await boardShapes()).map((s) => s.id)).toEqual(['box']);
});
