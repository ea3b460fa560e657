/**
 * The shared pan and zoom maths (client/render/viewport.ts): screen ↔ board, zoom about a point,
 * the zoom limits, fitting, and change notifications.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clampZoom,
  nextZoomStep,
  Viewport,
  ZOOM_STEP,
  ZOOM_STEPS,
  type ViewportLimits,
} from '../../client/render/viewport.ts';

const LIMITS: ViewportLimits = { minZoom: 0.1, maxZoom: 8, fitMarginPx: 50 };

function viewport(width = 1000, height = 600): Viewport {
  const view = new Viewport(LIMITS);
  view.resize(width, height);
  return view;
}

function assertClose(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, message ?? `${actual} ≉ ${expected}`);
}

describe('Viewport', () => {
  it('maps screen to board and back', () => {
    const view = viewport();
    view.set({ x: 30, y: -20 }, 2);
    assert.deepEqual(view.toScreen({ x: 10, y: 5 }), { x: 50, y: -10 });
    assert.deepEqual(view.toBoard({ x: 50, y: -10 }), { x: 10, y: 5 });
    assert.deepEqual(view.visibleBounds(), { x: -15, y: 10, width: 500, height: 300 });
  });

  it('keeps the board point under the anchor still when zooming about it', () => {
    const view = viewport();
    view.set({ x: 17, y: 42 }, 0.7);
    const anchor = { x: 333, y: 211 };
    const before = view.toBoard(anchor);
    for (const factor of [1.5, 1 / 3, ZOOM_STEP, 0.999]) {
      view.zoomAt(anchor, factor);
      const after = view.toBoard(anchor);
      assertClose(after.x, before.x);
      assertClose(after.y, before.y);
    }
  });

  it('keeps the anchor still even when the zoom is clamped', () => {
    const view = viewport();
    const anchor = { x: 100, y: 100 };
    const before = view.toBoard(anchor);
    view.zoomAt(anchor, 1000);
    assert.equal(view.zoom, LIMITS.maxZoom);
    const after = view.toBoard(anchor);
    assertClose(after.x, before.x);
    assertClose(after.y, before.y);
  });

  it('clamps the zoom to the limits, however it is set', () => {
    const view = viewport();
    view.zoomAt({ x: 0, y: 0 }, 1e-6);
    assert.equal(view.zoom, LIMITS.minZoom);
    view.set({ x: 0, y: 0 }, 100);
    assert.equal(view.zoom, LIMITS.maxZoom);
    for (let i = 0; i < 50; i++) view.zoomOut();
    assert.equal(view.zoom, LIMITS.minZoom);
    assert.equal(clampZoom(3, LIMITS), 3);
    assert.equal(clampZoom(0, LIMITS), LIMITS.minZoom);
    assert.equal(clampZoom(Infinity, LIMITS), LIMITS.maxZoom);
  });

  it('zooms in and out through round steps about the centre, and resets to 100 %', () => {
    const view = viewport();
    view.zoomIn();
    assertClose(view.zoom, 1.5);
    assert.deepEqual(view.toBoard(view.center()), { x: 500, y: 300 });
    view.zoomOut();
    view.zoomOut();
    assertClose(view.zoom, 0.5);
    view.resetZoom();
    assertClose(view.zoom, 1);
  });

  it('steps through 10, 25, 50, 100, 150, 200, 300, 400 % … up and down the limits', () => {
    const view = viewport();
    view.set({ x: 0, y: 0 }, LIMITS.minZoom);
    const upward = [view.zoom];
    for (let i = 0; i < 12; i++) {
      view.zoomIn();
      upward.push(view.zoom);
    }
    const percents = upward.map((zoom) => Math.round(zoom * 100));
    assert.deepEqual(percents.slice(0, 8), [10, 25, 50, 100, 150, 200, 300, 400]);
    assert.equal(view.zoom, LIMITS.maxZoom, 'stops at the limit');
    const downward = [view.zoom];
    for (let i = 0; i < 12; i++) {
      view.zoomOut();
      downward.push(view.zoom);
    }
    assert.deepEqual([...new Set(downward)], [...new Set(upward)].reverse());
  });

  it('goes from an in-between zoom (after a pinch) to the next round one', () => {
    assert.equal(nextZoomStep(0.84, 1, LIMITS), 1);
    assert.equal(nextZoomStep(0.84, -1, LIMITS), 0.5);
    assert.equal(nextZoomStep(1.43, 1, LIMITS), 1.5);
    assert.equal(nextZoomStep(1.0004, 1, LIMITS), 1.5, 'a hair above a step counts as it');
    assert.equal(nextZoomStep(0.9996, -1, LIMITS), 0.5);
    const narrow = { ...LIMITS, minZoom: 0.3, maxZoom: 2.5 };
    assert.equal(nextZoomStep(0.5, -1, narrow), 0.5, 'no step below the minimum: stays');
    assert.equal(nextZoomStep(2, 1, narrow), 2);
    assert.ok(ZOOM_STEPS.every((step, i) => i === 0 || step > (ZOOM_STEPS[i - 1] ?? 0)));
  });

  it('fits a large board inside the margins, centred', () => {
    const view = viewport(1000, 600);
    view.fit({ x: 100, y: 200, width: 1800, height: 500 });
    // Width limits: (1000 − 2·50) / 1800 = 0.5; height would allow (600 − 100) / 500 = 1.
    assertClose(view.zoom, 0.5);
    const center = view.toScreen({ x: 1000, y: 450 });
    assertClose(center.x, 500);
    assertClose(center.y, 300);
    const topLeft = view.toScreen({ x: 100, y: 200 });
    assertClose(topLeft.x, 50);
  });

  it('never zooms in past 100 % to fit a small board', () => {
    const view = viewport(1000, 600);
    view.fit({ x: -10, y: -10, width: 20, height: 20 });
    assert.equal(view.zoom, 1);
    assert.deepEqual(view.pan, { x: 500, y: 300 });
  });

  it('fits an enormous board at the minimum zoom, and an empty board at the origin', () => {
    const view = viewport(1000, 600);
    view.fit({ x: 0, y: 0, width: 1e9, height: 10 });
    assert.equal(view.zoom, LIMITS.minZoom);
    view.fit(null);
    assert.deepEqual({ pan: view.pan, zoom: view.zoom }, { pan: { x: 0, y: 0 }, zoom: 1 });
  });

  it('tells its listeners about every change and never has a size below 1 × 1', () => {
    const view = new Viewport(LIMITS);
    let changes = 0;
    view.onChange(() => changes++);
    view.resize(0, -5);
    assert.deepEqual(view.size, { width: 1, height: 1 });
    view.panBy(3, 4);
    assert.deepEqual(view.pan, { x: 3, y: 4 });
    view.zoomAt({ x: 0, y: 0 }, 2);
    view.fit(null);
    assert.equal(changes, 4);
  });
});
