/**
 * Two people on one board: concurrent moves, undo of one's own changes only, live cursors.
 */
import { addShapes } from '../../common/board/board-doc.ts';
import { rect } from '../helpers/shapes.ts';
import { drawWith, expect, renderedShapes, renderedTypes, test } from './fixtures.ts';

test('A and B move different shapes at once; both end where they were put', async ({
  openEditor,
  stockClient,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [rect('left', 200, 200), rect('right', 700, 200)]);
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  for (const page of [alice, bob])
    await expect.poll(() => renderedTypes(page)).toEqual(['rect', 'rect']);

  // Both press at once, move in alternation, release: the drags overlap in time.
  await alice.mouse.move(250, 225);
  await bob.mouse.move(750, 225);
  await alice.mouse.down();
  await bob.mouse.down();
  for (let step = 1; step <= 10; step++) {
    await alice.mouse.move(250 + 10 * step, 225 + 15 * step);
    await bob.mouse.move(750 - 20 * step, 225 + 30 * step);
  }
  await alice.mouse.up();
  await bob.mouse.up();

  const expected = { left: { x: 300, y: 350 }, right: { x: 500, y: 500 } };
  await expect
    .poll(async () =>
      Object.fromEntries((await boardShapes()).map((s) => [s.id, { x: s.x, y: s.y }])),
    )
    .toEqual(expected);
  for (const page of [alice, bob]) {
    await expect
      .poll(async () =>
        Object.fromEntries((await renderedShapes(page)).map((s) => [s.id, { x: s.x, y: s.y }])),
      )
      .toEqual(expected);
  }
});

test("A's undo removes A's shape and leaves B's; a drag is one undo step", async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  await expect.poll(() => renderedTypes(bob)).toEqual(['rect']);
  await drawWith(bob, 'o', { x: 600, y: 200 }, { x: 700, y: 300 });
  await expect.poll(() => renderedTypes(alice)).toEqual(['ellipse', 'rect']);

  // Alice drags her rectangle in many frames, then undoes: it returns whole, in one step.
  await alice.keyboard.press('v');
  await alice.mouse.move(350, 250);
  await alice.mouse.down();
  for (let step = 1; step <= 10; step++) await alice.mouse.move(350 + 10 * step, 250 + 20 * step);
  await alice.mouse.up();
  await expect.poll(async () => (await boardShapes()).find((s) => s.type === 'rect')?.y).toBe(400);
  await alice.keyboard.press('Control+z');
  await expect.poll(async () => (await boardShapes()).find((s) => s.type === 'rect')?.y).toBe(200);

  await alice.keyboard.press('Control+z');
  await expect.poll(async () => (await boardShapes()).map((s) => s.type)).toEqual(['ellipse']);
  await expect.poll(() => renderedTypes(bob)).toEqual(['ellipse']);
  await expect.poll(() => renderedTypes(alice)).toEqual(['ellipse']);

  await alice.keyboard.press('Control+Shift+z');
  await expect.poll(() => renderedTypes(bob)).toEqual(['ellipse', 'rect']);
});

test("A's cursor shows on B's canvas with A's name", async ({ openEditor }) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await alice.mouse.move(400, 300);
  await alice.mouse.move(420, 320, { steps: 4 });

  const cursor = bob.locator('.peer-cursor', { hasText: 'Alice' });
  await expect(cursor).toBeVisible();
  await expect
    .poll(async () => {
      const box = await cursor.boundingBox();
      return box && Math.hypot(box.x - 420, box.y - 320) < 3;
    })
    .toBe(true);
  await expect(bob.locator('#avatars .avatar')).toHaveCount(2);
  await expect(bob.locator('#avatars .avatar[title="Alice"]')).toHaveText('A');
});
