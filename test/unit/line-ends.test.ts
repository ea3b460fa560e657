/**
 * Bound ends of lines and arrows (common/render/line-ends.ts): on the outline of every kind of
 * shape, rotated or not, facing the other end; both ends on one shape; a missing or unbindable
 * target falls back to the stored point; the SVG draws what the function computes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape, ShapeType } from '../../common/board/shape.ts';
import {
  BINDING_GAP,
  BindingIndex,
  bindingTargetAt,
  resolveBoundShape,
  resolveLineEnds,
  type Point,
} from '../../common/render/line-ends.ts';
import { renderBoardSvg } from '../../common/render/svg-render.ts';
import { rect } from '../helpers/shapes.ts';

function box(id: string, type: ShapeType, x: number, y: number, fields: Partial<Shape> = {}) {
  const extra = type === 'image' ? { assetId: 'a'.repeat(64) } : {};
  return rect(id, x, y, { type, width: 100, height: 50, ...extra, ...fields });
}

function arrow(points: number[], fields: Partial<Shape> = {}): Shape {
  return rect('arrow', 0, 0, { type: 'arrow', width: 0, height: 0, points, ...fields });
}

function lookupOf(...shapes: Shape[]) {
  const byId = new Map(shapes.map((shape) => [shape.id, shape]));
  return (id: string) => byId.get(id);
}

function near(actual: Point | null, expected: Point, message = ''): void {
  assert.ok(actual, `no point ${message}`);
  const off = Math.hypot(actual.x - expected.x, actual.y - expected.y);
  assert.ok(off < 1e-6, `${JSON.stringify(actual)} != ${JSON.stringify(expected)} ${message}`);
}

describe('resolveLineEnds', () => {
  // Target: the box (100..200, 100..150), centre (150, 125). The arrow comes from the left.
  for (const type of ['rect', 'sticky', 'text', 'image'] as const) {
    it(`puts an end bound to a ${type} on its box, facing the other end`, () => {
      const target = box('t', type, 100, 100);
      const line = arrow([0, 125, 150, 125], { endId: 't' });
      const { start, end } = resolveLineEnds(line, lookupOf(target));
      assert.equal(start, null);
      near(end, { x: 100 - BINDING_GAP, y: 125 });
      // From above: the top edge.
      const above = arrow([150, -100, 150, 125], { endId: 't' });
      near(resolveLineEnds(above, lookupOf(target)).end, { x: 150, y: 100 - BINDING_GAP });
    });
  }

  it('puts an end bound to an ellipse on the ellipse, not its box', () => {
    const target = box('t', 'ellipse', 100, 100);
    // From the upper left along the diagonal of the box: meets the ellipse inside the corner.
    const line = arrow([50, 75, 150, 125], { endId: 't' });
    const end = resolveLineEnds(line, lookupOf(target)).end!;
    const u = { x: -100 / Math.hypot(100, 50), y: -50 / Math.hypot(100, 50) };
    const reach = 1 / Math.sqrt((u.x / 50) ** 2 + (u.y / 25) ** 2);
    near(end, { x: 150 + u.x * (reach + BINDING_GAP), y: 125 + u.y * (reach + BINDING_GAP) });
    // On the ellipse (plus the gap), so strictly inside the box's corner.
    const local = { x: (end.x - 150) / 50, y: (end.y - 125) / 25 };
    const radius = Math.hypot(local.x, local.y);
    assert.ok(radius >= 1 - 1e-9 && radius < 1.2 && Math.abs(local.x) < 0.9, `${radius}`);
  });

  it('takes the bound shape’s rotation into account', () => {
    // A 100 × 50 rect at (100, 100) turned 90° clockwise about (100, 100): it covers
    // x 50..100, y 100..200, centre (75, 150). From the right, the end is on its x = 100 side.
    const target = box('t', 'rect', 100, 100, { rotation: 90 });
    const line = arrow([300, 150, 75, 150], { endId: 't' });
    near(resolveLineEnds(line, lookupOf(target)).end, { x: 100 + BINDING_GAP, y: 150 });
    // From below: the short side, at y = 200.
    const below = arrow([75, 400, 75, 150], { endId: 't' });
    near(resolveLineEnds(below, lookupOf(target)).end, { x: 75, y: 200 + BINDING_GAP });
  });

  it('takes the line’s own rotation and origin into account', () => {
    const target = box('t', 'rect', 100, 100);
    // Placed at (0, 125), turned 90° clockwise: local (0, -150) is board (150, 125).
    const line = arrow([0, 0, 0, -150], { y: 125, endId: 't', rotation: 90 });
    const drawn = resolveBoundShape(line, lookupOf(target));
    // The end, board (96, 125), is (0, -96) in the line's frame.
    assert.deepEqual(drawn.points, [0, 0, 0, -(100 - BINDING_GAP)]);
  });

  it('faces the other bound shape’s centre when both ends are bound', () => {
    const left = box('a', 'rect', 0, 0);
    const right = box('b', 'ellipse', 300, 100);
    // Stored points far from both: only the centres count.
    const line = arrow([-500, 900, 900, -500], { startId: 'a', endId: 'b' });
    const { start, end } = resolveLineEnds(line, lookupOf(left, right));
    const from = { x: 50, y: 25 };
    const to = { x: 350, y: 125 };
    const length = Math.hypot(to.x - from.x, to.y - from.y);
    const u = { x: (to.x - from.x) / length, y: (to.y - from.y) / length };
    // Start: out of a's right side (x = 100) along the line between the centres, plus the gap.
    const startReach = 50 / u.x + BINDING_GAP;
    near(start, { x: from.x + u.x * startReach, y: from.y + u.y * startReach });
    // End: on b's ellipse (radii 50, 25), coming back along the same line.
    const endReach = 1 / Math.sqrt((u.x / 50) ** 2 + (u.y / 25) ** 2) + BINDING_GAP;
    near(end, { x: to.x - u.x * endReach, y: to.y - u.y * endReach });
  });

  it('binds both ends to one shape: each faces its own stored point, so they stay apart', () => {
    const target = box('t', 'rect', 100, 100);
    const line = arrow([90, 125, 210, 125], { startId: 't', endId: 't' });
    const { start, end } = resolveLineEnds(line, lookupOf(target));
    near(start, { x: 100 - BINDING_GAP, y: 125 });
    near(end, { x: 200 + BINDING_GAP, y: 125 });
  });

  it('faces the bend of a bent line, not the far end', () => {
    const target = box('t', 'rect', 100, 100);
    // A bend straight above the centre: the end leaves from the top edge.
    const line = arrow([-300, 0, 150, -200, 150, 125], { endId: 't' });
    near(resolveLineEnds(line, lookupOf(target)).end, { x: 150, y: 100 - BINDING_GAP });
  });

  it('falls back to the stored point for a missing or unbindable target', () => {
    const other = arrow([0, 0, 10, 10], { startId: 'x' });
    const pen = rect('p', 0, 0, { type: 'pen', points: [0, 0, 5, 5], width: 0, height: 0 });
    const line = arrow([0, 0, 150, 125], { startId: 'gone', endId: 'p' });
    const lookup = lookupOf(pen, { ...other, id: 'self' });
    assert.deepEqual(resolveLineEnds(line, lookup), { start: null, end: null });
    assert.equal(resolveBoundShape(line, lookup), line);
    const self = arrow([0, 0, 150, 125], { endId: 'arrow' });
    assert.equal(resolveBoundShape(self, lookupOf(self)), self);
    const flat = box('f', 'rect', 0, 0, { height: 0 });
    assert.deepEqual(
      resolveLineEnds(arrow([0, 0, 5, 5], { endId: 'f' }), lookupOf(flat)).end,
      null,
    );
  });

  it('resolves only the bound end; the other keeps its stored point', () => {
    const target = box('t', 'rect', 100, 100);
    const line = arrow([0, 0, 150, 125], { x: 10, y: 20, startId: 't' });
    const drawn = resolveBoundShape(line, lookupOf(target));
    // Start faces the stored end (board (160, 145)) from the centre (150, 125)…
    const d = { x: 10, y: 20 };
    const t = 25 / d.y; // the bottom edge is 25 below the centre
    const startBoard = { x: 150 + d.x * t, y: 125 + 25 };
    const gap = BINDING_GAP / Math.hypot(d.x, d.y);
    assert.deepEqual(drawn.points.slice(2), [150, 125]);
    const expected = [
      Math.round((startBoard.x + d.x * gap - 10) * 100) / 100,
      Math.round((startBoard.y + d.y * gap - 20) * 100) / 100,
    ];
    assert.deepEqual(drawn.points.slice(0, 2), expected);
  });
});

describe('bindingTargetAt', () => {
  it('finds the topmost bindable shape whose outline (rotated, with slack) holds the point', () => {
    const line = arrow([0, 0, 1, 1]);
    const low = box('low', 'rect', 0, 0, { width: 200, height: 200 });
    const high = box('high', 'ellipse', 100, 100); // ellipse centre (150, 125), radii 50, 25
    const pen = rect('pen', 0, 0, { type: 'pen', points: [0, 0, 300, 300], width: 0, height: 0 });
    const shapes = [low, high, pen];
    assert.equal(bindingTargetAt(line, shapes, { x: 150, y: 125 })?.id, 'high');
    // Inside the ellipse's box corner but outside the ellipse: the rect below.
    assert.equal(bindingTargetAt(line, shapes, { x: 103, y: 103 })?.id, 'low');
    assert.equal(bindingTargetAt(line, shapes, { x: 205, y: 50 }), null);
    assert.equal(bindingTargetAt(line, shapes, { x: 205, y: 50 }, 6)?.id, 'low');
    // Rotated 90° about (0, 0): the rect covers x -200..0.
    const turned = box('turned', 'rect', 0, 0, { width: 200, height: 200, rotation: 90 });
    assert.equal(bindingTargetAt(line, [turned], { x: -100, y: 100 })?.id, 'turned');
    assert.equal(bindingTargetAt(line, [turned], { x: 100, y: 100 }), null);
  });
});

describe('BindingIndex', () => {
  it('knows which lines are bound to a shape, and forgets them when they change or go', () => {
    const index = new BindingIndex();
    index.set(arrow([0, 0, 1, 1], { startId: 'a', endId: 'b' }));
    index.set({ ...arrow([0, 0, 1, 1], { endId: 'a' }), id: 'second' });
    assert.deepEqual([...index.linesBoundTo('a')].sort(), ['arrow', 'second']);
    assert.deepEqual([...index.linesBoundTo('b')], ['arrow']);
    index.set(arrow([0, 0, 1, 1], { startId: 'c' }));
    assert.deepEqual([...index.linesBoundTo('a')], ['second']);
    assert.deepEqual([...index.linesBoundTo('b')], []);
    index.delete('second');
    assert.deepEqual([...index.linesBoundTo('a')], []);
    assert.deepEqual([...index.linesBoundTo('c')], ['arrow']);
  });
});

describe('the SVG of a bound arrow', () => {
  it('draws the arrow to where its shape is now', () => {
    const target = box('t', 'rect', 400, 100);
    const line = arrow([0, 125, 150, 125], { endId: 't' });
    const svg = renderBoardSvg([target, line]);
    assert.ok(svg.includes(`points="0,125 ${400 - BINDING_GAP},125"`), svg);
  });
});
