/**
 * Bound arrows (issue 11, item 1): an arrow drawn from one shape to another stays attached on
 * both pages and in the server's SVG when a shape moves, with no write to the arrow; Alt draws
 * unbound; end handles move, bind and unbind an end, the middle handle bends it; deleting a
 * shape leaves its arrow where it was drawn.
 */
import type { Page } from '@playwright/test';
import type { Shape } from '../../common/board/shape.ts';
import { BINDING_GAP, resolveBoundShape } from '../../common/render/line-ends.ts';
import { shapeToSvg } from '../../common/render/svg-render.ts';
import { drag, drawWith, expect, test, type Point } from './fixtures.ts';

/** The points the page draws for shape `id` (bound ends placed), rounded to hundredths. */
async function drawnPoints(page: Page, id: string): Promise<number[] | undefined> {
  const shapes = await page.evaluate(() => window.__boardcast.renderedShapes());
  return shapes.find((shape) => shape.id === id)?.points.map((n) => Math.round(n * 100) / 100);
}

function byType(shapes: Shape[], type: string): Shape[] {
  return shapes.filter((shape) => shape.type === type).sort((a, b) => a.x - b.x);
}

/** The shape as every renderer should draw it, given the board. */
function drawnAs(shapes: Shape[], shape: Shape): Shape {
  const byId = new Map(shapes.map((s) => [s.id, s]));
  return resolveBoundShape(shape, (id) => byId.get(id));
}

function pageOf(page: Page, board: Point): Promise<Point> {
  return page.evaluate(({ x, y }) => window.__boardcast.toPage(x, y), board);
}

test('an arrow between two rectangles follows a moved rectangle on both pages, the viewer and the SVG', async ({
  openEditor,
  boardShapes,
  server,
  boardId,
  page: viewer,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const links = (await (await fetch(`${server.url}/api/boards/${boardId}/links`)).json()) as {
    viewUrl: string;
  };
  await viewer.goto(links.viewUrl);
  await drawWith(alice, 'r', { x: 300, y: 300 }, { x: 420, y: 400 });
  await drawWith(alice, 'r', { x: 700, y: 300 }, { x: 820, y: 400 });
  await drawWith(alice, 'a', { x: 360, y: 350 }, { x: 760, y: 350 });

  await expect.poll(async () => byType(await boardShapes(), 'arrow').length).toBe(1);
  let shapes = await boardShapes();
  const [left, right] = byType(shapes, 'rect') as [Shape, Shape];
  const arrow = byType(shapes, 'arrow')[0] as Shape;
  // Bound at both ends, stored where it is drawn: on the rectangles' facing sides.
  expect(arrow).toMatchObject({ startId: left.id, endId: right.id, x: 360, y: 350 });
  expect(arrow.points).toEqual([420 + BINDING_GAP - 360, 0, 700 - BINDING_GAP - 360, 0]);

  // Alice moves the right rectangle down by 200 (dragging it by its edge).
  await alice.keyboard.press('Escape');
  await drag(alice, { x: 820, y: 350 }, { x: 820, y: 550 }, 10);
  await expect.poll(async () => byType(await boardShapes(), 'rect')[1]?.y).toBe(500);
  shapes = await boardShapes();
  const stored = byType(shapes, 'arrow')[0] as Shape;
  // No write to the arrow…
  expect(stored.points).toEqual(arrow.points);
  expect([stored.x, stored.y]).toEqual([arrow.x, arrow.y]);
  // …yet it is drawn to where the rectangle is now, on both pages.
  const expected = drawnAs(shapes, stored).points;
  expect(expected).not.toEqual(arrow.points);
  expect(expected[3]).toBeGreaterThan(100); // the end went down with the rectangle
  await expect.poll(() => drawnPoints(alice, arrow.id)).toEqual(expected);
  await expect.poll(() => drawnPoints(bob, arrow.id)).toEqual(expected);
  // In the read-only viewer (fed by SSE snapshots and patches) too.
  await expect
    .poll(() =>
      viewer.evaluate(
        (id) => window.__boardcastViewer?.drawnShapes().find((shape) => shape.id === id)?.points,
        arrow.id,
      ),
    )
    .toEqual(expected);

  // And in the server's SVG image.
  const arrowSvg = shapeToSvg(drawnAs(shapes, stored));
  await expect
    .poll(async () => (await fetch(`${server.url}/api/boards/${boardId}.svg`)).text())
    .toContain(arrowSvg);

  // Deleting the rectangle leaves the arrow where it was drawn, now unbound at that end.
  await alice.mouse.click(820, 550);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual([right.id]);
  await alice.keyboard.press('Delete');
  await expect.poll(async () => byType(await boardShapes(), 'rect').length).toBe(1);
  const released = byType(await boardShapes(), 'arrow')[0] as Shape;
  expect(released.endId).toBeUndefined();
  expect(released.startId).toBe(left.id);
  expect(released.points).toEqual(expected);
  await expect.poll(() => drawnPoints(bob, arrow.id)).toEqual(expected);
  // Undo brings back the rectangle and the binding together.
  await alice.keyboard.press('Control+z');
  await expect.poll(async () => byType(await boardShapes(), 'arrow')[0]?.endId).toBe(right.id);
});

test('Alt draws unbound; end handles bind and unbind, the middle handle bends', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await drawWith(alice, 'r', { x: 300, y: 300 }, { x: 420, y: 400 });
  await drawWith(alice, 'r', { x: 700, y: 300 }, { x: 820, y: 400 });
  // With Alt held, an arrow drawn from one rectangle into the other binds to neither.
  await alice.keyboard.press('a');
  await alice.keyboard.down('Alt');
  await drag(alice, { x: 360, y: 350 }, { x: 760, y: 350 });
  await alice.keyboard.up('Alt');
  await expect.poll(async () => byType(await boardShapes(), 'arrow').length).toBe(1);
  const [left, right] = byType(await boardShapes(), 'rect') as [Shape, Shape];
  const arrow = byType(await boardShapes(), 'arrow')[0] as Shape;
  expect(arrow).toMatchObject({ x: 360, y: 350, points: [0, 0, 400, 0] });
  expect(arrow.startId ?? arrow.endId).toBeUndefined();
  const current = async () => byType(await boardShapes(), 'arrow')[0] as Shape;

  // The arrow is selected: its end handle is at (760, 350). Drop it into the right rectangle
  // lower down: bound, drawn on the rectangle's outline.
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual([arrow.id]);
  await drag(alice, await pageOf(alice, { x: 760, y: 350 }), { x: 780, y: 380 });
  await expect.poll(async () => (await current()).endId).toBe(right.id);
  // Then the start handle into the left rectangle.
  await drag(alice, await pageOf(alice, { x: 360, y: 350 }), { x: 330, y: 330 });
  await expect.poll(async () => (await current()).startId).toBe(left.id);
  let shapes = await boardShapes();
  let bound = await current();
  const drawn = drawnAs(shapes, bound).points;
  expect(bound.points).toEqual(drawn); // stored where drawn
  await expect.poll(() => drawnPoints(bob, arrow.id)).toEqual(drawn);

  // The end handle dragged to empty space unbinds that end, exactly where it was dropped.
  const endBoard = { x: 360 + (drawn[2] as number), y: 350 + (drawn[3] as number) };
  await drag(alice, await pageOf(alice, endBoard), { x: 700, y: 250 });
  await expect.poll(async () => (await current()).endId).toBeUndefined();
  bound = await current();
  expect(bound.startId).toBe(left.id);
  expect(bound.points.slice(2)).toEqual([700 - 360, 250 - 350]);

  // The middle handle bends it: one extra point where it was dropped.
  shapes = await boardShapes();
  const before = drawnAs(shapes, bound).points;
  const middle = {
    x: 360 + ((before[0] as number) + (before[2] as number)) / 2,
    y: 350 + ((before[1] as number) + (before[3] as number)) / 2,
  };
  await drag(alice, await pageOf(alice, middle), { x: 560, y: 150 });
  await expect.poll(async () => (await current()).points.length).toBe(6);
  bound = await current();
  expect(bound.points.slice(2)).toEqual([560 - 360, 150 - 350, 700 - 360, 250 - 350]);
  await expect
    .poll(async () => drawnPoints(bob, arrow.id))
    .toEqual(drawnAs(await boardShapes(), bound).points);
});

test('a bound arrow follows a shape while its handles resize it', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 300 }, { x: 420, y: 400 });
  await drawWith(alice, 'r', { x: 700, y: 300 }, { x: 820, y: 400 });
  await drawWith(alice, 'a', { x: 360, y: 350 }, { x: 760, y: 350 });
  await expect.poll(async () => byType(await boardShapes(), 'arrow')[0]?.endId).toBeTruthy();
  const arrow = byType(await boardShapes(), 'arrow')[0] as Shape;
  const endX = async () => (await drawnPoints(alice, arrow.id))?.[2];
  expect(await endX()).toBe(700 - BINDING_GAP - 360);

  // Select the right rectangle, then pull its left handle 50 to the left and hold it there.
  await alice.mouse.click(820, 350);
  await alice.mouse.move(700, 350);
  await alice.mouse.down();
  await alice.mouse.move(650, 350, { steps: 6 });
  await expect.poll(endX).toBe(650 - BINDING_GAP - 360); // following before the release
  expect(byType(await boardShapes(), 'rect')[1]?.x).toBe(700); // nothing written yet
  await alice.mouse.up();
  await expect.poll(async () => byType(await boardShapes(), 'rect')[1]?.x).toBe(650);
  expect(await endX()).toBe(650 - BINDING_GAP - 360);
});

test('duplicating shapes with their arrow binds the copy to the copies; an arrow alone lets go', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 300 }, { x: 420, y: 400 });
  await drawWith(alice, 'r', { x: 700, y: 300 }, { x: 820, y: 400 });
  await drawWith(alice, 'a', { x: 360, y: 350 }, { x: 760, y: 350 });
  await expect.poll(async () => byType(await boardShapes(), 'arrow')[0]?.endId).toBeTruthy();
  const originals = new Set((await boardShapes()).map((shape) => shape.id));

  await alice.keyboard.press('Control+a');
  await alice.keyboard.press('Control+d');
  await expect.poll(async () => (await boardShapes()).length).toBe(6);
  const copies = (await boardShapes()).filter((shape) => !originals.has(shape.id));
  const [left, right] = byType(copies, 'rect') as [Shape, Shape];
  expect(byType(copies, 'arrow')[0]).toMatchObject({ startId: left.id, endId: right.id });

  // The original arrow alone: its copy is unbound, drawn where the original is.
  const arrow = byType(await boardShapes(), 'arrow').find((shape) => originals.has(shape.id))!;
  await alice.keyboard.press('Escape');
  await alice.mouse.click(560, 350);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection())).toEqual([arrow.id]);
  await alice.keyboard.press('Control+d');
  await expect.poll(async () => (await boardShapes()).length).toBe(7);
  const loose = (await boardShapes()).find(
    (shape) => shape.type === 'arrow' && !originals.has(shape.id) && !shape.startId,
  );
  expect(loose).toBeDefined();
  expect(loose?.endId).toBeUndefined();
  expect(loose?.points).toEqual(arrow.points);
});
