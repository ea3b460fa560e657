/**
 * Drawing with the mouse and the contract's keys; the other person sees every shape.
 */
import { drag, drawWith, expect, renderedTypes, test } from './fixtures.ts';

test('A draws a rectangle, ellipse, arrow, pen stroke, text and sticky note; B sees each', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');

  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  await drawWith(alice, 'o', { x: 500, y: 200 }, { x: 620, y: 300 });
  await drawWith(alice, 'a', { x: 300, y: 400 }, { x: 450, y: 480 });
  await alice.keyboard.press('p');
  await drag(alice, { x: 500, y: 400 }, { x: 640, y: 470 }, 20);
  await alice.keyboard.press('t');
  await alice.mouse.click(700, 250);
  await alice.keyboard.type('Hello board');
  await alice.keyboard.press('Escape');
  await alice.keyboard.press('n');
  await alice.mouse.click(850, 450);
  await alice.keyboard.type('Sticky!');
  await alice.keyboard.press('Escape');

  const expected = ['arrow', 'ellipse', 'pen', 'rect', 'sticky', 'text'];
  await expect.poll(() => renderedTypes(bob)).toEqual(expected);
  const shapes = await boardShapes();
  expect(shapes.map((shape) => shape.type).sort()).toEqual(expected);
  const byType = new Map(shapes.map((shape) => [shape.type, shape]));
  expect(byType.get('rect')).toMatchObject({ x: 300, y: 200, width: 120, height: 100 });
  expect(byType.get('ellipse')).toMatchObject({ x: 500, y: 200, width: 120, height: 100 });
  expect(byType.get('arrow')).toMatchObject({ x: 300, y: 400, points: [0, 0, 150, 80] });
  expect(byType.get('pen')?.points.length).toBeGreaterThan(10);
  expect(byType.get('text')).toMatchObject({ text: 'Hello board', x: 700, y: 250 });
  expect(byType.get('sticky')?.text).toBe('Sticky!');
});

test('a click with the rectangle tool makes a default-size one', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  await alice.keyboard.press('r');
  await alice.mouse.click(400, 300);
  await expect
    .poll(async () => (await boardShapes()).map((s) => [s.type, s.x, s.y, s.width, s.height]))
    .toEqual([['rect', 400, 300, 160, 100]]);
});
