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

test('Ctrl+G groups: a click selects the group on both pages, a double-click enters it, Ctrl+Shift+G ungroups', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('a', 300, 200), rect('b', 450, 200), rect('c', 300, 400)]);
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await expect.poll(() => renderedTypes(bob)).toEqual(['rect', 'rect', 'rect']);

  await alice.mouse.click(300, 225);
  await alice.keyboard.down('Shift');
  await alice.mouse.click(450, 225);
  await alice.keyboard.up('Shift');
  await alice.keyboard.press('Control+g');
  await expect
    .poll(async () => {
      const shapes = await boardShapes();
      return [byId(shapes, 'a')?.groupId, byId(shapes, 'c')?.groupId];
    })
    .toEqual([expect.stringMatching(/^[A-Za-z0-9_-]+$/), undefined]);
  const groupId = byId(await boardShapes(), 'a')?.groupId;
  expect(byId(await boardShapes(), 'b')?.groupId).toBe(groupId);

  // Bob: a click on one member selects both; dragging it moves both.
  await bob.mouse.click(350, 225);
  await expect.poll(() => selection(bob)).toEqual(['a', 'b']);
  await bob.mouse.move(350, 225);
  await bob.mouse.down();
  await bob.mouse.move(370, 285, { steps: 6 });
  await bob.mouse.up();
  await expect
    .poll(async () => (await boardShapes()).map((s) => [s.id, s.x, s.y]))
    .toEqual([
      ['a', 320, 260],
      ['b', 470, 260],
      ['c', 300, 400],
    ]);
  // The marquee that touches one member takes the group too.
  await bob.keyboard.press('Escape');
  await bob.mouse.move(250, 240);
  await bob.mouse.down();
  await bob.mouse.move(340, 450, { steps: 6 });
  await bob.mouse.up();
  await expect.poll(() => selection(bob)).toEqual(['a', 'b', 'c']);

  // Alice: a double-click enters the group and picks the member; a click inside picks one.
  await alice.keyboard.press('Escape');
  await alice.mouse.dblclick(520, 285);
  await expect.poll(() => selection(alice)).toEqual(['b']);
  await alice.mouse.click(370, 285);
  await expect.poll(() => selection(alice)).toEqual(['a']);
  // A click outside leaves it: the group is selected whole again.
  await alice.mouse.click(350, 425);
  await alice.mouse.click(370, 285);
  await expect.poll(() => selection(alice)).toEqual(['a', 'b']);

  await alice.keyboard.press('Control+Shift+g');
  await expect
    .poll(async () => (await boardShapes()).map((s) => s.groupId ?? ''))
    .toEqual(['', '', '']);
  await alice.keyboard.press('Escape');
  await alice.mouse.click(370, 285);
  await expect.poll(() => selection(alice)).toEqual(['a']);
});

test('Ctrl+Shift+L locks: a locked shape is not selected by click, marquee or Ctrl+A, says so on hover, and unlocks', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('a', 300, 200), rect('b', 450, 200)]);
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await expect.poll(() => renderedTypes(bob)).toEqual(['rect', 'rect']);

  await alice.mouse.click(300, 225);
  await alice.keyboard.press('Control+Shift+l');
  await expect.poll(async () => byId(await boardShapes(), 'a')?.locked).toBe(true);
  expect(await selection(alice)).toEqual([]);

  // Bob cannot select it: not by a click, nor a marquee, nor Ctrl+A; a drag on it moves nothing.
  await bob.mouse.click(300, 225);
  expect(await selection(bob)).toEqual([]);
  await bob.mouse.move(280, 180);
  await bob.mouse.down();
  await bob.mouse.move(600, 300, { steps: 6 });
  await bob.mouse.up();
  await expect.poll(() => selection(bob)).toEqual(['b']);
  await bob.keyboard.press('Control+a');
  await expect.poll(() => selection(bob)).toEqual(['b']);
  await bob.keyboard.press('Escape');
  await bob.mouse.move(320, 225);
  await bob.mouse.down();
  await bob.mouse.move(380, 300, { steps: 6 });
  await bob.mouse.up();
  expect(byId(await boardShapes(), 'a')).toMatchObject({ x: 300, y: 200 });

  // Hovering it says it is locked.
  await bob.mouse.move(300, 230);
  await expect(bob.locator('#lock-hint')).toBeVisible();
  await expect(bob.locator('#lock-hint')).toContainText('Locked');
  await bob.mouse.move(700, 600);
  await expect(bob.locator('#lock-hint')).toBeHidden();

  // Ctrl+Shift+L over it with nothing selected unlocks it.
  await bob.mouse.move(300, 230);
  await bob.keyboard.press('Control+Shift+l');
  await expect.poll(async () => byId(await boardShapes(), 'a')?.locked).toBe(false);
  expect(await selection(bob)).toEqual(['a']);
});

test('moving snaps an edge exactly onto another shape edge; Alt during the drag turns it off', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [
    rect('a', 200, 200, { width: 100, height: 100 }),
    rect('b', 400, 430, { width: 100, height: 100 }),
  ]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect', 'rect']);

  // b's left edge dragged to 303.4: within a few pixels of a's right edge (300).
  await alice.mouse.move(450, 480);
  await alice.mouse.down();
  await alice.mouse.move(353.4, 481, { steps: 10 });
  // A guide shows while it snaps.
  await expect
    .poll(() =>
      alice.evaluate(() =>
        window.__boardcast
          .stage()
          .find<Konva.Group>('.snap-guides')
          .reduce((sum, group) => sum + group.getChildren().length, 0),
      ),
    )
    .toBeGreaterThan(0);
  await alice.mouse.up();
  await expect.poll(async () => byId(await boardShapes(), 'b')).toMatchObject({ x: 300, y: 431 });

  // The same near miss with Alt pressed during the drag stays where it was dropped.
  await alice.mouse.move(350, 481);
  await alice.mouse.down();
  await alice.mouse.move(360, 481, { steps: 4 });
  await alice.keyboard.down('Alt');
  await alice.mouse.move(353, 481, { steps: 4 });
  await alice.mouse.up();
  await alice.keyboard.up('Alt');
  await expect.poll(async () => byId(await boardShapes(), 'b')?.x).toBe(303);
  expect((await boardShapes()).length).toBe(2);
});

test('resizing snaps the dragged handle onto another shape edge', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [
    rect('a', 200, 200, { width: 100, height: 100 }),
    rect('b', 400, 220, { width: 100, height: 100 }),
  ]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect', 'rect']);
  await alice.mouse.click(450, 270);
  await expect.poll(() => selection(alice)).toEqual(['b']);
  // b's left handle (400, 270) dragged to 303.5: its left edge lands on a's right edge.
  await alice.mouse.move(400, 270);
  await alice.mouse.down();
  await alice.mouse.move(303.5, 272, { steps: 10 });
  await alice.mouse.up();
  await expect
    .poll(async () => {
      const b = byId(await boardShapes(), 'b');
      return [b?.x, b?.y, b?.width, b?.height];
    })
    .toEqual([300, 220, 200, 100]);
});

test('align and distribute from the panel; alt-drag duplicates', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [
    rect('a', 200, 200, { width: 100, height: 40 }),
    rect('b', 340, 260, { width: 50, height: 40 }),
    rect('c', 700, 230, { width: 100, height: 40 }),
  ]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect', 'rect', 'rect']);
  await alice.keyboard.press('Control+a');
  await alice.locator('[data-arrange="align-top"]').click();
  await expect.poll(async () => (await boardShapes()).map((s) => s.y)).toEqual([200, 200, 200]);
  await alice.locator('[data-arrange="distribute-horizontal"]').click();
  // Span 200–800, widths 250: gaps of 175, so b goes to 475.
  await expect.poll(async () => byId(await boardShapes(), 'b')?.x).toBe(475);

  // Alt-drag: a copy moves, the original stays.
  await alice.keyboard.press('Escape');
  await alice.keyboard.down('Alt');
  await alice.mouse.move(250, 220);
  await alice.mouse.down();
  await alice.mouse.move(250, 520, { steps: 8 });
  await alice.mouse.up();
  await alice.keyboard.up('Alt');
  await expect.poll(async () => (await boardShapes()).length).toBe(4);
  const shapes = await boardShapes();
  expect(byId(shapes, 'a')).toMatchObject({ x: 200, y: 200 });
  const copy = shapes.find((s) => !['a', 'b', 'c'].includes(s.id));
  expect(copy).toMatchObject({ x: 200, y: 500, width: 100, height: 40 });
  expect(await selection(alice)).toEqual([copy?.id]);
  // One undo takes the copy back.
  await alice.keyboard.press('Control+z');
  await expect.poll(async () => (await boardShapes()).length).toBe(3);
});

test('the context menu: duplicate, group, align, lock and unlock, order, cut and paste, delete', async ({
  openEditor,
  stockClient,
  boardShapes,
  server,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('a', 300, 200), rect('b', 500, 260)]);
  const alice = await openEditor('Alice');
  await alice
    .context()
    .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect', 'rect']);
  const menu = alice.locator('#context-menu');
  const pick = async (at: { x: number; y: number }, item: string) => {
    await alice.mouse.click(at.x, at.y, { button: 'right' });
    await expect(menu).toBeVisible();
    await menu.locator(`[data-menu-item="${item}"]`).click();
    await expect(menu).toBeHidden();
  };

  // On a shape: it is selected, and the menu acts on it.
  await pick({ x: 350, y: 225 }, 'duplicate');
  await expect.poll(async () => (await boardShapes()).length).toBe(3);
  const copyId = (await selection(alice))[0] as string;
  expect(byId(await boardShapes(), copyId)).toMatchObject({ x: 316, y: 216 });
  await pick({ x: 366, y: 241 }, 'delete');
  await expect.poll(async () => (await boardShapes()).length).toBe(2);

  // Two selected: align top, then group (a group aligns as one unit, so no align then).
  await alice.keyboard.press('Control+a');
  await pick({ x: 350, y: 225 }, 'align-top');
  await expect.poll(async () => (await boardShapes()).map((s) => s.y)).toEqual([200, 200]);
  await pick({ x: 350, y: 225 }, 'group');
  await expect.poll(async () => new Set((await boardShapes()).map((s) => s.groupId)).size).toBe(1);
  expect(byId(await boardShapes(), 'a')?.groupId).toBeTruthy();
  await alice.mouse.click(350, 225, { button: 'right' });
  await expect(menu.locator('[data-menu-item="align-top"]')).toHaveCount(0);
  await alice.keyboard.press('Escape');
  await pick({ x: 350, y: 225 }, 'ungroup');
  await expect
    .poll(async () => (await boardShapes()).map((s) => s.groupId))
    .toEqual([undefined, undefined]);

  // Order: b to the back.
  await alice.keyboard.press('Escape');
  await pick({ x: 550, y: 225 }, 'to-back');
  await expect
    .poll(async () => (await boardShapes()).sort((p, q) => p.z - q.z).map((s) => s.id))
    .toEqual(['b', 'a']);

  // Lock from the menu; on the locked shape the menu offers Unlock.
  await alice.keyboard.press('Escape');
  await pick({ x: 350, y: 225 }, 'lock');
  await expect.poll(async () => byId(await boardShapes(), 'a')?.locked).toBe(true);
  await alice.mouse.click(350, 225, { button: 'right' });
  await expect(menu.locator('[data-menu-item]')).toHaveCount(1);
  await menu.locator('[data-menu-item="unlock"]').click();
  await expect.poll(async () => byId(await boardShapes(), 'a')?.locked).toBe(false);

  // Cut, then paste from the menu on empty canvas.
  await alice.keyboard.press('Escape');
  await pick({ x: 550, y: 225 }, 'cut');
  await expect.poll(async () => (await boardShapes()).map((s) => s.id)).toEqual(['a']);
  await pick({ x: 800, y: 600 }, 'paste');
  await expect.poll(async () => (await boardShapes()).length).toBe(2);

  // Empty canvas: the snapping toggle, remembered.
  await alice.mouse.click(800, 600, { button: 'right' });
  await expect(menu.locator('[data-menu-item="snap"]')).toHaveAttribute('aria-checked', 'true');
  await menu.locator('[data-menu-item="snap"]').click();
  await alice.mouse.click(800, 600, { button: 'right' });
  await expect(menu.locator('[data-menu-item="snap"]')).toHaveAttribute('aria-checked', 'false');
});
