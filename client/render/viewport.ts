/**
 * Pan and zoom, shared by the editor and the viewer: screen = board × zoom + pan. Owns only the
 * numbers (no Yjs, no DOM, no Konva); whoever draws applies them to its stage, its grid and its
 * culling, on every change (`onChange`) or after each call. Each page brings its own limits:
 * how far it zooms out and in, and the margin kept free when fitting the board.
 */
import type { Bounds } from '../../common/render/shape-geometry.ts';

export interface Point {
  x: number;
  y: number;
}

export interface ViewportLimits {
  minZoom: number;
  maxZoom: number;
  /** Screen pixels kept free around the board when fitting it. */
  fitMarginPx: number;
}

/** One press of the viewer's zoom buttons or keys (a factor). */
export const ZOOM_STEP = 1.2;
/**
 * The editor's zoom buttons and keys step through these round values (as Excalidraw and tldraw
 * do), never landing on 84 % or 143 %; a zoom in between (after a pinch) goes to the next one.
 */
export const ZOOM_STEPS = [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8] as const;

/**
 * The next round zoom from `zoom` in `direction` (+1 in, −1 out) within `limits`; `zoom` itself
 * (clamped) when there is none. Values within 0.1 % of a step count as that step.
 */
export function nextZoomStep(zoom: number, direction: 1 | -1, limits: ViewportLimits): number {
  const steps = ZOOM_STEPS.filter((step) => step >= limits.minZoom && step <= limits.maxZoom);
  const tolerance = 0.001;
  const next =
    direction > 0
      ? steps.find((step) => step > zoom * (1 + tolerance))
      : steps.findLast((step) => step < zoom * (1 - tolerance));
  return clampZoom(next ?? zoom, limits);
}

export function clampZoom(zoom: number, limits: ViewportLimits): number {
  return Math.min(limits.maxZoom, Math.max(limits.minZoom, zoom));
}

export class Viewport {
  pan: Point = { x: 0, y: 0 };
  zoom = 1;
  /** Screen size of the canvas, in CSS pixels. */
  size = { width: 1, height: 1 };
  private readonly listeners = new Set<() => void>();

  constructor(readonly limits: ViewportLimits) {}

  toBoard(screen: Point): Point {
    return { x: (screen.x - this.pan.x) / this.zoom, y: (screen.y - this.pan.y) / this.zoom };
  }

  toScreen(board: Point): Point {
    return { x: board.x * this.zoom + this.pan.x, y: board.y * this.zoom + this.pan.y };
  }

  /** The board rectangle on screen (for culling). */
  visibleBounds(): Bounds {
    const topLeft = this.toBoard({ x: 0, y: 0 });
    return {
      x: topLeft.x,
      y: topLeft.y,
      width: this.size.width / this.zoom,
      height: this.size.height / this.zoom,
    };
  }

  /** The centre of the screen. */
  center(): Point {
    return { x: this.size.width / 2, y: this.size.height / 2 };
  }

  panBy(dx: number, dy: number): void {
    this.set({ x: this.pan.x + dx, y: this.pan.y + dy }, this.zoom);
  }

  /** Zooms by `factor` (clamped to the limits), keeping the board point under `anchor` still. */
  zoomAt(anchor: Point, factor: number): void {
    const zoom = clampZoom(this.zoom * factor, this.limits);
    const board = this.toBoard(anchor);
    this.set({ x: anchor.x - board.x * zoom, y: anchor.y - board.y * zoom }, zoom);
  }

  /** The next round zoom (ZOOM_STEPS), about the centre of the screen. */
  zoomIn(): void {
    this.zoomTo(nextZoomStep(this.zoom, 1, this.limits));
  }

  zoomOut(): void {
    this.zoomTo(nextZoomStep(this.zoom, -1, this.limits));
  }

  /** Zooms to `zoom`, keeping the centre of the screen still. */
  zoomTo(zoom: number): void {
    this.zoomAt(this.center(), zoom / this.zoom);
  }

  /** 100 %, keeping the centre of the screen still. */
  resetZoom(): void {
    this.zoomTo(1);
  }

  /** Shows all of `bounds`, centred, never zoomed in past 100 %; null (no shapes) resets. */
  fit(bounds: Bounds | null): void {
    if (!bounds) return this.set({ x: 0, y: 0 }, 1);
    const margin = 2 * this.limits.fitMarginPx;
    const zoom = clampZoom(
      Math.min(
        1,
        (this.size.width - margin) / Math.max(bounds.width, 1),
        (this.size.height - margin) / Math.max(bounds.height, 1),
      ),
      this.limits,
    );
    const centerX = bounds.x + bounds.width / 2;
    const centerY = bounds.y + bounds.height / 2;
    this.set(
      { x: this.size.width / 2 - centerX * zoom, y: this.size.height / 2 - centerY * zoom },
      zoom,
    );
  }

  set(pan: Point, zoom: number): void {
    this.pan = pan;
    this.zoom = clampZoom(zoom, this.limits);
    this.changed();
  }

  /** The canvas's new screen size; at least 1 × 1, so the maths never divides by zero. */
  resize(width: number, height: number): void {
    this.size = { width: Math.max(1, width), height: Math.max(1, height) };
    this.changed();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
