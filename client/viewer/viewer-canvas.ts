/**
 * The viewer's drawing: a Konva stage with one read-only ShapeLayer (the editor's own drawing
 * code), local pan and zoom, culling to the screen, and the board fitted on load. Updates are
 * queued and drawn once per animation frame, merged, so a burst of patches costs one redraw.
 */
import type { AssetImages } from '../render/asset-images.ts';
import { attachAssetImages } from '../render/asset-images.ts';
import Konva from 'konva';
import type { Shape } from '../../common/board/shape.ts';
import { shapeInkBounds, unionBounds } from '../../common/render/shape-geometry.ts';
import { ShapeLayer, type Theme } from '../render/index.ts';
import { Viewport, type Point, type ViewportLimits } from '../render/viewport.ts';

/** The viewer zooms out further than the editor, so a whole large board fits a small embed. */
const VIEWER_VIEWPORT_LIMITS: ViewportLimits = { minZoom: 0.05, maxZoom: 8, fitMarginPx: 32 };

interface PendingDraw {
  /** A whole new board (snapshot); patches queued after it are merged on top. */
  replace: Map<string, Shape> | null;
  upsert: Map<string, Shape>;
  remove: Set<string>;
  sinceMs: number;
}

export class ViewerCanvas {
  readonly transform = new Viewport(VIEWER_VIEWPORT_LIMITS);
  private readonly stage: Konva.Stage;
  private readonly shapes: ShapeLayer;
  private pending: PendingDraw | null = null;
  private pendingFrame = 0;
  /** The board is fitted once, when it first has shapes, unless the person moved the view. */
  private autoFit = true;

  constructor(private readonly container: HTMLDivElement) {
    this.stage = new Konva.Stage({
      container,
      width: container.clientWidth,
      height: container.clientHeight,
      listening: false,
    });
    this.shapes = new ShapeLayer(new Konva.Layer({ listening: false }), { listening: false });
    this.stage.add(this.shapes.layer);
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  /** Image shapes draw their assets from `images` (and the board redraws as they load). */
  showImages(images: AssetImages): void {
    attachAssetImages(this.shapes.layer, images);
  }

  /** The colour drawn at a point of the canvas, `[r, g, b, a]` (for tests: is an image there?). */
  colourAt(x: number, y: number): number[] {
    const context = this.stage.toCanvas({ pixelRatio: 1 }).getContext('2d');
    return context ? [...context.getImageData(x, y, 1, 1).data] : [];
  }

  /** Shows exactly `shapes` (a snapshot), on the next frame. */
  replace(shapes: readonly Shape[]): void {
    this.pending = {
      replace: new Map(shapes.map((shape) => [shape.id, shape])),
      upsert: new Map(),
      remove: new Set(),
      sinceMs: this.pending?.sinceMs ?? performance.now(),
    };
    this.scheduleDraw();
  }

  /** Applies a patch on the next frame, merged with any not drawn yet. */
  patch(upsert: readonly Shape[], remove: readonly string[]): void {
    const pending = (this.pending ??= {
      replace: null,
      upsert: new Map(),
      remove: new Set(),
      sinceMs: performance.now(),
    });
    for (const id of remove) {
      if (pending.replace) pending.replace.delete(id);
      pending.upsert.delete(id);
      pending.remove.add(id);
    }
    for (const shape of upsert) {
      if (pending.replace) pending.replace.set(shape.id, shape);
      else pending.upsert.set(shape.id, shape);
      pending.remove.delete(shape.id);
    }
    this.scheduleDraw();
  }

  /** Draws the board in `theme`'s palette (the page follows the system's light or dark). */
  setTheme(theme: Theme): void {
    this.shapes.setTheme(theme);
  }

  /** How long received changes have waited to be drawn (0 when none wait). */
  drawLagMs(): number {
    return this.pending ? performance.now() - this.pending.sinceMs : 0;
  }

  /** Every shape as drawn (bound ends placed), in paint order (for tests and for fitting). */
  drawnShapes(): Shape[] {
    return this.shapes.drawnShapes();
  }

  fit(): void {
    this.transform.fit(unionBounds(this.drawnShapes().map(shapeInkBounds)));
    this.applyTransform();
  }

  panBy(dx: number, dy: number): void {
    this.autoFit = false;
    this.transform.panBy(dx, dy);
    this.applyTransform();
  }

  zoomAt(anchor: Point, factor: number): void {
    this.autoFit = false;
    this.transform.zoomAt(anchor, factor);
    this.applyTransform();
  }

  private scheduleDraw(): void {
    if (this.pending && !this.pendingFrame)
      this.pendingFrame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.pendingFrame = 0;
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    if (pending.replace) this.shapes.replaceAll(pending.replace.values());
    else this.shapes.apply(pending.upsert.values(), pending.remove);
    if (this.autoFit && this.shapes.size > 0) {
      this.autoFit = false;
      this.fit();
    }
  }

  private resize(): void {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.stage.size({ width, height });
    this.transform.resize(width, height);
    if (this.autoFit) this.fit();
    else this.applyTransform();
  }

  private applyTransform(): void {
    const { pan, zoom } = this.transform;
    this.stage.position(pan);
    this.stage.scale({ x: zoom, y: zoom });
    this.shapes.setViewport(this.transform.visibleBounds());
  }
}
