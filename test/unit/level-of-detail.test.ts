/**
 * Level of detail (client/render/level-of-detail.ts): when the overview replaces the shape
 * nodes (with hysteresis), and what it draws: batched boxes and polylines, tiny shapes skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IMAGE_BLOCK_FILL,
  drawOverview,
  LOD_EXIT_SHAPES,
  LOD_EXIT_ZOOM,
  LOD_MAX_ZOOM,
  LOD_MIN_SHAPES,
  useOverview,
  type OverviewContext,
} from '../../client/render/level-of-detail.ts';
import type { Shape } from '../../common/board/shape.ts';
import { shapeInkBounds } from '../../common/render/shape-geometry.ts';
import { rect } from '../helpers/shapes.ts';

/** A context that records its calls. */
function recorder(): OverviewContext & { calls: string[] } {
  const calls: string[] = [];
  const log =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push(
        `${name}(${args.map((a) => (typeof a === 'number' ? +a.toFixed(2) : a)).join(',')})`,
      );
  return {
    calls,
    beginPath: log('beginPath'),
    moveTo: log('moveTo'),
    lineTo: log('lineTo'),
    rect: log('rect'),
    closePath: log('closePath'),
    fill: log('fill'),
    stroke: log('stroke'),
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    globalAlpha: 1,
  };
}

const item = (shape: Shape) => ({ shape, bounds: shapeInkBounds(shape) });

describe('useOverview', () => {
  it('switches on only when zoomed out with many shapes in view', () => {
    assert.equal(useOverview(false, LOD_MAX_ZOOM / 2, LOD_MIN_SHAPES + 1), true);
    assert.equal(useOverview(false, LOD_MAX_ZOOM / 2, LOD_MIN_SHAPES), false);
    assert.equal(useOverview(false, LOD_MAX_ZOOM, LOD_MIN_SHAPES * 10), false);
    assert.equal(useOverview(false, 1, 10_000), false);
  });

  it('keeps the overview a little past the thresholds, so it does not flicker', () => {
    const zoom = (LOD_MAX_ZOOM + LOD_EXIT_ZOOM) / 2;
    assert.equal(useOverview(true, zoom, LOD_MIN_SHAPES + 1), true);
    assert.equal(useOverview(false, zoom, LOD_MIN_SHAPES + 1), false);
    assert.equal(useOverview(true, 0.1, LOD_EXIT_SHAPES + 1), true);
    assert.equal(useOverview(true, 0.1, LOD_EXIT_SHAPES), false);
    assert.equal(useOverview(true, LOD_EXIT_ZOOM, 10_000), false);
  });
});

describe('drawOverview', () => {
  it('batches consecutive shapes of one style into one path', () => {
    const ctx = recorder();
    drawOverview(ctx, [item(rect('a', 0, 0)), item(rect('b', 200, 0))], 0.1);
    assert.deepEqual(ctx.calls, [
      'beginPath()',
      'rect(0,0,100,50)',
      'rect(200,0,100,50)',
      'stroke()',
    ]);
    assert.equal(ctx.strokeStyle, '#1e1e1e');
    assert.equal(ctx.lineWidth, 2);
  });

  it('starts a new path when the style changes, and fills what has a fill', () => {
    const ctx = recorder();
    const filled = { ...rect('b', 200, 0), fill: '#ff0000' };
    drawOverview(ctx, [item(rect('a')), item(filled), item(rect('c', 400, 0))], 1);
    assert.deepEqual(ctx.calls, [
      'beginPath()',
      'rect(0,0,100,50)',
      'stroke()',
      'beginPath()',
      'rect(200,0,100,50)',
      'fill()',
      'stroke()',
      'beginPath()',
      'rect(400,0,100,50)',
      'stroke()',
    ]);
  });

  it('draws an image as a grey block, whatever its stroke', () => {
    const ctx = recorder();
    const image: Shape = { ...rect('pic'), type: 'image', assetId: 'a'.repeat(64) };
    drawOverview(ctx, [item(image)], 0.1);
    assert.deepEqual(ctx.calls, ['beginPath()', 'rect(0,0,100,50)', 'fill()']);
    assert.equal(ctx.fillStyle, IMAGE_BLOCK_FILL);
  });

  it('draws rotated boxes as polygons and lines as polylines', () => {
    const ctx = recorder();
    const turned = { ...rect('a', 10, 10), rotation: 90 };
    const line: Shape = { ...rect('l'), type: 'line', points: [0, 0, 30, 40] };
    drawOverview(ctx, [item(turned), item(line)], 1);
    assert.deepEqual(ctx.calls, [
      'beginPath()',
      'moveTo(10,10)',
      'lineTo(10,110)',
      'lineTo(-40,110)',
      'lineTo(-40,10)',
      'closePath()',
      'moveTo(0,0)',
      'lineTo(30,40)',
      'stroke()',
    ]);
  });

  it('skips shapes under half a pixel on screen', () => {
    const ctx = recorder();
    const tiny = { ...rect('t'), width: 1, height: 1, strokeWidth: 0 };
    drawOverview(ctx, [item(tiny)], 0.1);
    assert.deepEqual(ctx.calls, []);
  });
});
