/**
 * Pan and zoom: screen = board × zoom + pan. Owns only the numbers; the canvas applies them to
 * the stage, the grid and culling on every change.
 */
import type { Bounds } from '../../common/render/shape-geometry.ts';

export interface Point {
  x: number;
  y: number;
}

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 8;
const ZOOM_STEP = 1.2;
const FIT_MARGIN_PX = 48;

export class Viewport {
  pan: Point = { x: 0, y: 0 };
  zoom = 1;
  /** Screen size of the canvas, in CSS pixels. */
  size = { width: 1, height: 1 };
  private readonly listeners = new Set<() => void>();

  toBoard(screen: Point): Point {
    return { x: (screen.x - this.pan.x) / this.zoom, y: (screen.y - this.pan.y) / this.zoom };
  }

  toScreen(board: Point): Point {
    return { x: board.x * this.zoom + this.pan.x, y: board.y * this.zoom + this.pan.y };
  }

  /** The board rectangle on screen. */
  visibleBounds(): Bounds {
    const topLeft = this.toBoard({ x: 0, y: 0 });
    return {
      x: topLeft.x,
      y: topLeft.y,
      width: this.size.width / this.zoom,
      height: this.size.height / this.zoom,
    };
  }

  panBy(dx: number, dy: number): void {
    this.set({ x: this.pan.x + dx, y: this.pan.y + dy }, this.zoom);
  }

  /** Zooms by `factor`, keeping the board point under `anchor` (screen) still. */
  zoomAt(anchor: Point, factor: number): void {
    const zoom = clampZoom(this.zoom * factor);
    const board = this.toBoard(anchor);
    this.set({ x: anchor.x - board.x * zoom, y: anchor.y - board.y * zoom }, zoom);
  }

  zoomIn(): void {
    this.zoomAt(this.center(), ZOOM_STEP);
  }

  zoomOut(): void {
    this.zoomAt(this.center(), 1 / ZOOM_STEP);
  }

  /** 100 %, keeping the centre of the screen still. */
  resetZoom(): void {
    this.zoomAt(this.center(), 1 / this.zoom);
  }

  /** Shows all of `bounds`, centred, never zoomed in past 100 %. */
  fit(bounds: Bounds | null): void {
    if (!bounds) return this.set({ x: 0, y: 0 }, 1);
    const zoom = clampZoom(
      Math.min(
        1,
        (this.size.width - 2 * FIT_MARGIN_PX) / Math.max(bounds.width, 1),
        (this.size.height - 2 * FIT_MARGIN_PX) / Math.max(bounds.height, 1),
      ),
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
    this.zoom = clampZoom(zoom);
    for (const listener of this.listeners) listener();
  }

  resize(width: number, height: number): void {
    this.size = { width: Math.max(1, width), height: Math.max(1, height) };
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private center(): Point {
    return { x: this.size.width / 2, y: this.size.height / 2 };
  }
}

function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}
