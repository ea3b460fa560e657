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
