/**
 * Editor render measurements, for a benchmark that opens the editor in a browser (Playwright).
 * Everything goes through the editor's `window.__boardcast` hooks, so the numbers describe the
 * real page: adding shapes (document → incremental canvas update), drawing the shape layer,
 * and pan frames (viewport change + culling + what the layer's batchDraw does: scene and hit).
 *
 *   const page = await browser.newPage();
 *   await page.goto(`${url}/board/bench?name=Bench`);
 *   const added = await addBoardShapes(page, 10_000);
 *   const frames = await measurePanFrames(page, 1);
 */
import type { Page } from '@playwright/test';
// Declares window.__boardcast (the editor's hooks) for the page functions below.
import type {} from '../client/editor/test-hooks.ts';

export interface AddTimings {
  shapes: number;
  /** Adding `shapes` rectangles, through the document, until the canvas holds them. */
  addMs: number;
  /** …of which the shape layer took in the changes (the rest is Yjs and the connection). */
  layerApplyMs: number;
  /** One full draw of the shape layer's scene right after (at the view the page opened with). */
  sceneDrawMs: number;
  /** Page JS heap after a forced collection, before and after the add (CDP Runtime.getHeapUsage). */
  heapBeforeBytes: number;
  heapAfterBytes: number;
}

/** Adds `count` rectangles in a grid (one undo step) and times it, with the heap it took. */
export async function addBoardShapes(page: Page, count: number): Promise<AddTimings> {
  await page.waitForFunction(() => window.__boardcast !== undefined);
  const cdp = await page.context().newCDPSession(page);
  const heap = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    return usage.usedSize;
  };
  try {
    const heapBeforeBytes = await heap();
    const timed = await page.evaluate((n) => {
      const hooks = window.__boardcast;
      const layer = hooks.stage().getLayers()[0];
      if (!layer) throw new Error('the editor has no shape layer');
      const applyBefore = hooks.renderStats().applyMsTotal;
      let start = performance.now();
      hooks.addShapes(n);
      const addMs = performance.now() - start;
      const layerApplyMs = hooks.renderStats().applyMsTotal - applyBefore;
      start = performance.now();
      layer.drawScene();
      return { addMs, layerApplyMs, sceneDrawMs: performance.now() - start };
    }, count);
    const heapAfterBytes = await heap();
    return { shapes: count, ...timed, heapBeforeBytes, heapAfterBytes };
  } finally {
    await cdp.detach();
  }
}

/** Median milliseconds per pan frame of each part (sums may differ from the frame's median). */
export interface FrameBreakdown {
  /** Viewport change: stage transform, finding what entered and left the view, updating it. */
  viewportMs: number;
  /** …of which adding and removing shape nodes to and from the layer. */
  nodeAttachMs: number;
  /** The layer's scene (what is seen). */
  sceneMs: number;
  /** The layer's hit graph (what pointer events find), which batchDraw also draws. */
  hitMs: number;
}

export interface PanFrames {
  zoom: number;
  runs: number;
  framesPerRun: number;
  /** Over every frame of every run. */
  p50Ms: number;
  p95Ms: number;
  /** Each run's own p95 (how much the runs agree). */
  runP95Ms: number[];
  breakdown: FrameBreakdown;
  /** Shapes in view at the end (drawn as nodes, or by the overview when far out). */
  shapesInView: number;
  /** Shape nodes that are children of the layer at the end. */
  layerNodes: number;
  /** Whether the far-out overview (level of detail) drew instead of the nodes. */
  overview: boolean;
}

/**
 * Pan frames at one zoom: each frame moves the viewport a little (culling included) and draws
 * the shape layer synchronously (scene and hit graph, as batchDraw does once per animation
 * frame during a drag). `zoom: 'fit'` zooms out until the whole board is in view. Starts from
 * the board's middle so zoom 1 shows a full screen. `runs` sweeps of `frames` frames each; a
 * sweep goes 40 frames one way (8 px, 4 px a frame) then jumps back, so shapes keep entering
 * and leaving the view.
 */
export async function measurePanFrames(
  page: Page,
  zoom: number | 'fit',
  runs = 5,
  frames = 120,
): Promise<PanFrames> {
  return page.evaluate(
    ({ zoomWanted, runCount, count }) => {
      const hooks = window.__boardcast;
      const layer = hooks.stage().getLayers()[0];
      if (!layer) throw new Error('the editor has no shape layer');
      let right = 0;
      let bottom = 0;
      for (const s of hooks.shapes()) {
        right = Math.max(right, s.x + s.width);
        bottom = Math.max(bottom, s.y + s.height);
      }
      const { innerWidth: width, innerHeight: height } = window;
      const zoom =
        zoomWanted === 'fit' ? Math.min(width / right, height / bottom) * 0.95 : zoomWanted;
      const startX = width / 2 - (right / 2) * zoom;
      const startY = height / 2 - (bottom / 2) * zoom;
      const totals: number[] = [];
      const viewport: number[] = [];
      const attach: number[] = [];
      const scene: number[] = [];
      const hit: number[] = [];
      const runP95Ms: number[] = [];
      // No helper functions in here: the bundler would name them with a helper the page lacks.
      for (let run = 0; run < runCount; run++) {
        // Settle at the start (a first frame after a jump is not a pan frame).
        hooks.setViewport(startX, startY, zoom);
        layer.draw();
        const runTimes: number[] = [];
        for (let frame = 0; frame < count; frame++) {
          const t0 = performance.now();
          hooks.setViewport(startX - (frame % 40) * 8, startY - (frame % 40) * 4, zoom);
          const t1 = performance.now();
          layer.drawScene();
          const t2 = performance.now();
          layer.drawHit();
          const t3 = performance.now();
          runTimes.push(t3 - t0);
          viewport.push(t1 - t0);
          attach.push(hooks.renderStats().lastAttachMs);
          scene.push(t2 - t1);
          hit.push(t3 - t2);
        }
        totals.push(...runTimes);
        runTimes.sort((a, b) => a - b);
        runP95Ms.push(
          runTimes[Math.min(runTimes.length - 1, Math.floor(0.95 * runTimes.length))] ?? 0,
        );
      }
      for (const list of [totals, viewport, attach, scene, hit]) list.sort((a, b) => a - b);
      const stats = hooks.renderStats();
      return {
        zoom,
        runs: runCount,
        framesPerRun: count,
        p50Ms: totals[Math.floor(0.5 * totals.length)] ?? 0,
        p95Ms: totals[Math.min(totals.length - 1, Math.floor(0.95 * totals.length))] ?? 0,
        runP95Ms,
        breakdown: {
          viewportMs: viewport[Math.floor(0.5 * viewport.length)] ?? 0,
          nodeAttachMs: attach[Math.floor(0.5 * attach.length)] ?? 0,
          sceneMs: scene[Math.floor(0.5 * scene.length)] ?? 0,
          hitMs: hit[Math.floor(0.5 * hit.length)] ?? 0,
        },
        shapesInView: stats.shapesInView,
        layerNodes: stats.layerNodes,
        overview: stats.overview,
      };
    },
    { zoomWanted: zoom, runCount: runs, count: frames },
  );
}
