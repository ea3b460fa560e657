/**
 * Level of detail for big, zoomed-out boards (used by shape-layer.ts; no Konva state, no Yjs).
 * Below a zoom threshold and above a count of shapes in view, drawing thousands of Konva nodes
 * costs far more than the pixels are worth: the layer hides its nodes and one overview shape
 * draws every in-view shape as its (rotated) box, or a polyline for line/arrow/pen, batching
 * consecutive shapes of the same style into one path and skipping those under half a pixel.
 *
 *   useOverview(current, zoom, shapesInView) → whether to draw the overview (with hysteresis,
 *                                               so a zoom or count at the edge does not flicker)
 *   drawOverview(ctx, shapes, zoom)           → draws `shapes` (paint order, board space)
 */
import type { Shape } from '../../common/board/shape.ts';
import { stickyFill, type Bounds } from '../../common/render/shape-geometry.ts';

/** The overview is used below this zoom… */
export const LOD_MAX_ZOOM = 0.35;
/** …and only when more than this many shapes are in view. */
export const LOD_MIN_SHAPES = 1500;
/** Once in the overview, it is left only past these (hysteresis). */
export const LOD_EXIT_ZOOM = 0.4;
export const LOD_EXIT_SHAPES = 1200;
/** Shapes whose ink is smaller than this on screen (both ways) are not drawn in the overview. */
export const LOD_MIN_SCREEN_PX = 0.5;
/** What an image is drawn as in the overview. */
export const IMAGE_BLOCK_FILL = '#ced4da';
/** How opaque text is drawn as a block in the overview. */
const TEXT_BLOCK_ALPHA = 0.35;

/** Whether to draw the overview instead of the nodes; `current` is what is drawn now. */
export function useOverview(current: boolean, zoom: number, shapesInView: number): boolean {
  if (current) return zoom < LOD_EXIT_ZOOM && shapesInView > LOD_EXIT_SHAPES;
  return zoom < LOD_MAX_ZOOM && shapesInView > LOD_MIN_SHAPES;
}

/** What the overview needs of one shape: the shape and its board-space ink bounds. */
export interface OverviewItem {
  shape: Shape;
  bounds: Bounds;
}

/** The 2D context calls the overview makes (a CanvasRenderingContext2D or Konva's wrapper). */
export interface OverviewContext {
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  rect(x: number, y: number, width: number, height: number): void;
  closePath(): void;
  fill(): void;
  stroke(): void;
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  globalAlpha: number;
}

/**
 * Skia (software) slows down sharply on one path with many closed polygons, though not with
 * many rects or open polylines: a batch is flushed after this many rotated boxes.
 */
const MAX_POLYGONS_PER_PATH = 64;

const isPaint = (color: string): boolean => color !== '' && color !== 'transparent';

/**
 * Draws `items` (in paint order; the caller culls them to the viewport) into `ctx`, already
 * transformed to board space at `zoom`. Consecutive items of the same style share one path.
 */
export function drawOverview(
  ctx: OverviewContext,
  items: Iterable<OverviewItem>,
  zoom: number,
): void {
  const minSize = LOD_MIN_SCREEN_PX / zoom;
  // The batch being built: style of the path so far (null fill/stroke = none).
  let open = false;
  let fill: string | null = null;
  let stroke: string | null = null;
  let lineWidth = 0;
  let alpha = 1;
  let polygons = 0;
  const flush = () => {
    if (!open) return;
    ctx.globalAlpha = alpha;
    if (fill !== null) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    if (stroke !== null) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = lineWidth;
      ctx.stroke();
    }
    open = false;
    polygons = 0;
  };
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const { shape, bounds } of items) {
    if (bounds.width < minSize && bounds.height < minSize) continue;
    const isPolyline = shape.type === 'line' || shape.type === 'arrow' || shape.type === 'pen';
    let nextFill: string | null;
    let nextStroke: string | null;
    let nextAlpha = 1;
    if (isPolyline) {
      nextFill = null;
      nextStroke = shape.stroke;
    } else if (shape.type === 'sticky') {
      nextFill = stickyFill(shape);
      nextStroke = null;
    } else if (shape.type === 'image') {
      // Too small to show its picture: a block of the colour of an image's loading frame.
      nextFill = IMAGE_BLOCK_FILL;
      nextStroke = null;
    } else if (shape.type === 'text') {
      nextFill = shape.stroke;
      nextStroke = null;
      nextAlpha = TEXT_BLOCK_ALPHA;
    } else {
      nextFill = isPaint(shape.fill) ? shape.fill : null;
      nextStroke = isPaint(shape.stroke) && shape.strokeWidth > 0 ? shape.stroke : null;
    }
    if (nextFill === null && nextStroke === null) continue;
    const nextWidth = nextStroke === null ? 0 : shape.strokeWidth;
    if (
      !open ||
      nextFill !== fill ||
      nextStroke !== stroke ||
      nextWidth !== lineWidth ||
      nextAlpha !== alpha ||
      polygons >= MAX_POLYGONS_PER_PATH
    ) {
      flush();
      fill = nextFill;
      stroke = nextStroke;
      lineWidth = nextWidth;
      alpha = nextAlpha;
      ctx.beginPath();
      open = true;
    }
    if (traceShape(ctx, shape, isPolyline)) polygons++;
  }
  flush();
  ctx.globalAlpha = 1;
}

/**
 * Adds the shape's outline (box or polyline, rotated about its origin) to the current path;
 * true when that was a closed polygon (a rotated box).
 */
function traceShape(ctx: OverviewContext, shape: Shape, isPolyline: boolean): boolean {
  const { x, y } = shape;
  let cos = 1;
  let sin = 0;
  if (shape.rotation !== 0) {
    const rad = (shape.rotation * Math.PI) / 180;
    cos = Math.cos(rad);
    sin = Math.sin(rad);
  }
  if (isPolyline) {
    const points = shape.points;
    if (points.length < 2) return false;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const px = points[i] ?? 0;
      const py = points[i + 1] ?? 0;
      const sx = x + px * cos - py * sin;
      const sy = y + px * sin + py * cos;
      if (i === 0) ctx.moveTo(sx, sy);
      else ctx.lineTo(sx, sy);
    }
    return false;
  }
  const w = shape.width;
  const h = shape.height;
  if (sin === 0 && cos === 1) {
    ctx.rect(x, y, w, h);
    return false;
  }
  ctx.moveTo(x, y);
  ctx.lineTo(x + w * cos, y + w * sin);
  ctx.lineTo(x + w * cos - h * sin, y + w * sin + h * cos);
  ctx.lineTo(x - h * sin, y + h * cos);
  ctx.closePath();
  return true;
}
