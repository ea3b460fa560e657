/**
 * Local pan and zoom of the viewer: screen = board × zoom + pan. Only numbers; the canvas
 * applies them to the stage and to culling. Nothing here is ever sent anywhere.
 */
import type { Bounds } from '../../common/render/shape-geometry.ts';

export interface Point {
  x: number;
  y: number;
}

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 8;
export const ZOOM_STEP = 1.2;
/** Screen pixels kept free around the board when fitting it. */
const FIT_MARGIN_PX = 32;

export class ViewTransform {
  pan: Point = { x: 0, y: 0 };
  zoom = 1;
  size = { width: 1, height: 1 };

  toBoard(screen: Point): Point {
    return { x: (screen.x - this.pan.x) / this.zoom, y: (screen.y - this.pan.y) / this.zoom };
  }

  /** The board rectangle on screen, for culling. */
  visibleBounds(): Bounds {
    const topLeft = this.toBoard({ x: 0, y: 0 });
    return {
      x: topLeft.x,
      y: topLeft.y,
      width: this.size.width / this.zoom,
      height: this.size.height / this.zoom,
    };
  }

  /** Zooms by `factor`, keeping the board point under `anchor` (screen) still. */
  zoomAt(anchor: Point, factor: number): void {
    const zoom = clampZoom(this.zoom * factor);
    const board = this.toBoard(anchor);
    this.pan = { x: anchor.x - board.x * zoom, y: anchor.y - board.y * zoom };
    this.zoom = zoom;
  }

  center(): Point {
    return { x: this.size.width / 2, y: this.size.height / 2 };
  }

  /** Shows all of `bounds`, centred, never zoomed in past 100 %. */
  fit(bounds: Bounds | null): void {
    if (!bounds) {
      this.pan = { x: 0, y: 0 };
      this.zoom = 1;
      return;
    }
    const zoom = clampZoom(
      Math.min(
        1,
        (this.size.width - 2 * FIT_MARGIN_PX) / Math.max(bounds.width, 1),
        (this.size.height - 2 * FIT_MARGIN_PX) / Math.max(bounds.height, 1),
      ),
    );
    this.zoom = zoom;
    this.pan = {
      x: this.size.width / 2 - (bounds.x + bounds.width / 2) * zoom,
      y: this.size.height / 2 - (bounds.y + bounds.height / 2) * zoom,
    };
  }
}

function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}
