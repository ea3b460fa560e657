/**
 * Editor render measurements, for a benchmark that opens the editor in a browser (Playwright).
 * Everything goes through the editor's `window.__boardcast` hooks, so the numbers describe the
 * real page: adding shapes (document → incremental canvas update), drawing the shape layer,
 * a pan frame (viewport change + culling + draw) and a remote-style single-shape change.
 *
 *   const page = await browser.newPage();
 *   await page.goto(`${url}/board/bench?name=Bench`);
 *   const timings = await measureEditorRender(page, 10_000);
 */
import type { Page } from '@playwright/test';
// Declares window.__boardcast (the editor's hooks) for the page functions below.
import type {} from '../client/editor/test-hooks.ts';

export interface EditorRenderTimings {
  shapes: number;
  /** Adding `shapes` rectangles, through the document, until the canvas holds them. */
  addMs: number;
  /** One full draw of the shape layer's scene. */
  sceneDrawMs: number;
  /** Median of pan frames: viewport change, culling and a synchronous draw. */
  panFrameMs: number;
  /** Shapes drawn (not culled) at the end. */
  visibleShapes: number;
}

export const PAN_FRAMES = 30;

export async function measureEditorRender(
  page: Page,
  shapeCount: number,
): Promise<EditorRenderTimings> {
  await page.waitForFunction(() => window.__boardcast !== undefined);
  return page.evaluate(
    ({ count, frames }) => {
      const hooks = window.__boardcast;
      const layer = hooks.stage().getLayers()[0];
      if (!layer) throw new Error('the editor has no shape layer');
      let start = performance.now();
      hooks.addShapes(count);
      const addMs = performance.now() - start;
      start = performance.now();
      layer.drawScene();
      const sceneDrawMs = performance.now() - start;
      const panTimes: number[] = [];
      const origin = hooks.viewport();
      for (let frame = 0; frame < frames; frame++) {
        start = performance.now();
        hooks.setViewport(origin.x - frame * 20, origin.y - frame * 10, origin.zoom);
        layer.drawScene();
        panTimes.push(performance.now() - start);
      }
      panTimes.sort((a, b) => a - b);
      return {
        shapes: count,
        addMs,
        sceneDrawMs,
        panFrameMs: panTimes[Math.floor(panTimes.length / 2)] ?? 0,
        visibleShapes: hooks.renderedShapes().filter((shape) => shape.visible).length,
      };
    },
    { count: shapeCount, frames: PAN_FRAMES },
  );
}

export interface PanFrames {
  zoom: number;
  p50Ms: number;
  p95Ms: number;
  visibleShapes: number;
}

/**
 * Pan frames at one zoom: each frame moves the viewport a little (culling included) and draws the
 * shape layer synchronously, as a drag would once per animation frame. `zoom: 'fit'` zooms out
 * until the whole board is in view. Start from the board's middle so zoom 1 shows a full screen.
 */
export async function measurePanFrames(
  page: Page,
  zoom: number | 'fit',
  frames = 120,
): Promise<PanFrames> {
  return page.evaluate(
    ({ zoomWanted, count }) => {
      const hooks = window.__boardcast;
      const layer = hooks.stage().getLayers()[0];
      if (!layer) throw new Error('the editor has no shape layer');
      const shapes = hooks.shapes();
      const right = Math.max(...shapes.map((s) => s.x + s.width));
      const bottom = Math.max(...shapes.map((s) => s.y + s.height));
      const { innerWidth: width, innerHeight: height } = window;
      const zoom =
        zoomWanted === 'fit' ? Math.min(width / right, height / bottom) * 0.95 : zoomWanted;
      const startX = width / 2 - (right / 2) * zoom;
      const startY = height / 2 - (bottom / 2) * zoom;
      const times: number[] = [];
      for (let frame = 0; frame < count; frame++) {
        const start = performance.now();
        hooks.setViewport(startX - (frame % 40) * 8, startY - (frame % 40) * 4, zoom);
        layer.drawScene();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return {
        zoom,
        // No helper functions in here: the bundler would name them with a helper the page lacks.
        p50Ms: times[Math.floor(0.5 * times.length)] ?? 0,
        p95Ms: times[Math.min(times.length - 1, Math.floor(0.95 * times.length))] ?? 0,
        visibleShapes: hooks.renderedShapes().filter((shape) => shape.visible).length,
      };
    },
    { zoomWanted: zoom, count: frames },
  );
}
