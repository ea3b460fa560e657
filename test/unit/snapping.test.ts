/**
 * Snapping (client/editor/snapping.ts) and align/distribute (client/editor/arrange.ts): the
 * pure maths the editor's move, resize, panel buttons and context menu use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignShifts, distributeShifts } from '../../client/editor/arrange.ts';
import { nearbyBoxes, snapBox, snapPoint } from '../../client/editor/snapping.ts';
import { strokeDash } from '../../common/render/stroke-style.ts';
import { shapeToSvg } from '../../common/render/svg-render.ts';
import { rect } from '../helpers/shapes.ts';

const box = (x: number, y: number, width = 50, height = 50) => ({ x, y, width, height });

describe('snapBox', () => {
  it('puts a left edge exactly on a right edge within the threshold, with a guide', () => {
    const target = box(0, 0, 100, 80);
    const result = snapBox(box(103.5, 200), [target], 5);
    assert.equal(result.dx, -3.5);
    assert.equal(103.5 + result.dx, 100);
    const guide = result.guides.find((g) => g.axis === 'x');
    assert.deepEqual(guide, { axis: 'x', at: 100, from: 0, to: 250 });
  });

  it('leaves a box alone beyond the threshold', () => {
    assert.deepEqual(snapBox(box(107, 300), [box(0, 0, 100, 80)], 5), {
      dx: 0,
      dy: 0,
      guides: [],
    });
  });

  it('snaps centres to centres and picks the nearest line per axis', () => {
    // Target centre x = 50, y = 40. The box (width 20) centred at 52 → shift −2 (its left edge
    // at 42 is 2 from nothing nearer).
    const result = snapBox(box(42, 31, 20, 20), [box(0, 0, 100, 80)], 5);
    assert.equal(result.dx, -2);
    assert.equal(result.dy, -1); // its middle 41 → 40
    assert.ok(result.guides.some((g) => g.axis === 'x' && g.at === 50));
    assert.ok(result.guides.some((g) => g.axis === 'y' && g.at === 40));
  });

  it('snaps each axis independently and to the closest of several targets', () => {
    const result = snapBox(
      box(198, 401),
      [box(0, 0, 100, 100), box(300, 0, 100, 100), box(0, 450)],
      5,
    );
    // Right edge 248 is nowhere near; left edge 198 is 2 from nothing… the bottom of the third
    // target is 500: the box's bottom 451 → 450 (its top) is nearer than anything else.
    assert.equal(result.dx, 0);
    assert.equal(result.dy, -1);
  });
});

describe('snapPoint', () => {
  it('snaps a dragged handle to the nearest edge or centre on the axes it moves', () => {
    const targets = [box(0, 0, 100, 100)];
    assert.deepEqual(
      { ...snapPoint({ x: 97, y: 52 }, targets, 5), guides: undefined },
      { x: 100, y: 50, guides: undefined },
    );
    const sideOnly = snapPoint({ x: 97, y: 52 }, targets, 5, { x: true, y: false });
    assert.equal(sideOnly.x, 100);
    assert.equal(sideOnly.y, 52);
    assert.equal(sideOnly.guides.length, 1);
  });
});

describe('nearbyBoxes', () => {
  it('keeps only boxes within reach', () => {
    const near = box(120, 0);
    const far = box(1000, 0);
    assert.deepEqual(nearbyBoxes(box(0, 0, 100, 100), [near, far], 200), [near]);
  });
});

describe('alignShifts', () => {
  const items = [
    { id: 'a', box: box(0, 0, 100, 40) },
    { id: 'b', box: box(150, 100, 50, 60) },
  ];

  it('aligns left, centre and right edges on the selection bounds', () => {
    assert.deepEqual([...alignShifts(items, 'left')], [['b', { dx: -150, dy: 0 }]]);
    assert.deepEqual(
      [...alignShifts(items, 'center')],
      [
        ['a', { dx: 50, dy: 0 }],
        ['b', { dx: -75, dy: 0 }],
      ],
    );
    assert.deepEqual([...alignShifts(items, 'right')], [['a', { dx: 100, dy: 0 }]]);
  });

  it('aligns top, middle and bottom', () => {
    assert.deepEqual([...alignShifts(items, 'top')], [['b', { dx: 0, dy: -100 }]]);
    assert.deepEqual(
      [...alignShifts(items, 'middle')],
      [
        ['a', { dx: 0, dy: 60 }],
        ['b', { dx: 0, dy: -50 }],
      ],
    );
    assert.deepEqual([...alignShifts(items, 'bottom')], [['a', { dx: 0, dy: 120 }]]);
  });

  it('does nothing for fewer than two', () => {
    assert.equal(alignShifts(items.slice(0, 1), 'left').size, 0);
  });
});

describe('distributeShifts', () => {
  it('makes the gaps equal, keeping the outermost units in place', () => {
    const items = [
      { id: 'c', box: box(500, 0, 100, 10) },
      { id: 'a', box: box(0, 0, 100, 10) },
      { id: 'b', box: box(120, 0, 50, 10) },
    ];
    // Span 0–600, sizes 250: gaps of 175. b goes to 275.
    assert.deepEqual([...distributeShifts(items, 'horizontal')], [['b', { dx: 155, dy: 0 }]]);
  });

  it('works vertically and does nothing for fewer than three', () => {
    const items = [
      { id: 'a', box: box(0, 0, 10, 10) },
      { id: 'b', box: box(0, 15, 10, 10) },
      { id: 'c', box: box(0, 100, 10, 10) },
    ];
    assert.deepEqual([...distributeShifts(items, 'vertical')], [['b', { dx: 0, dy: 35 }]]);
    assert.equal(distributeShifts(items.slice(0, 2), 'vertical').size, 0);
  });
});

describe('strokeDash', () => {
  it('is empty for solid, dashes and dots scale with the width (with a floor)', () => {
    assert.deepEqual(strokeDash('solid', 2), []);
    assert.deepEqual(strokeDash('dashed', 4), [16, 12]);
    assert.deepEqual(strokeDash('dashed', 1), [6, 4]);
    assert.deepEqual(strokeDash('dotted', 4), [0, 10]);
  });
});

describe('stroke style and opacity in the SVG', () => {
  it('dashes the outline, dots with round caps, and fades the whole shape', () => {
    const dashed = shapeToSvg(rect('a', 0, 0, { strokeStyle: 'dashed', opacity: 0.5 }));
    assert.match(dashed, /^<g [^>]*stroke-dasharray="8 6"[^>]*opacity="0.5"/);
    const dotted = shapeToSvg(rect('b', 0, 0, { strokeStyle: 'dotted' }));
    assert.match(dotted, /stroke-dasharray="0 5" stroke-linecap="round"/);
    const plain = shapeToSvg(rect('c'));
    assert.doesNotMatch(plain, /dasharray|opacity/);
  });

  it('keeps an arrow head solid and pen strokes undashed', () => {
    const arrow = shapeToSvg({
      ...rect('d'),
      type: 'arrow',
      points: [0, 0, 100, 0],
      strokeStyle: 'dashed',
    });
    assert.equal((arrow.match(/stroke-dasharray="none"/g) ?? []).length, 1);
    const pen = shapeToSvg({
      ...rect('e'),
      type: 'pen',
      points: [0, 0, 10, 10],
      strokeStyle: 'dashed',
    });
    assert.doesNotMatch(pen, /dasharray/);
  });
});
