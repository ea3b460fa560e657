/**
 * Pure drawing geometry shared by every renderer of a `Shape`: the Konva view (client/render)
 * and the server's SVG renderer. No DOM, no node:*, no Yjs: numbers in, numbers and strings out.
 *
 * How a shape is drawn (every renderer keeps to this, so the editor, the viewer and the SVG
 * image look the same):
 * - Every shape is placed at (x, y) and rotated by `rotation` degrees clockwise about (x, y).
 *   Everything below is in that local frame.
 * - rect: the box (0, 0, width, height); `fill` inside, `stroke` of `strokeWidth` around it,
 *   corners rounded by `boxCornerRadius`.
 * - ellipse: inscribed in the box: centre (width / 2, height / 2), radii width / 2, height / 2.
 * - line: a polyline through `points`, round caps and joins. `fill` is ignored.
 * - arrow: the line plus an open head at its last point: `arrowHeadPoints` gives the head as a
 *   three-point polyline (side, tip, side) stroked like the line.
 * - pen: `penOutline` / `penOutlinePath` turn `points` into a closed polygon (perfect-freehand)
 *   filled with `stroke`. Nothing is stroked.
 * - text: `text` in `stroke` colour, `fontSize`, `TEXT_FONT_FAMILY`, line height
 *   `TEXT_LINE_HEIGHT` × fontSize, first line's top at y = 0, wrapped at `width` (0 = no wrap).
 * - sticky: a rounded box filled with `stickyFill(shape)` (a transparent fill means the default
 *   yellow), no outline, a soft shadow if the renderer can; its text is a label (below).
 * - labels (`text` of rect, ellipse and sticky): in `stroke` colour, `fontSize`, wrapped to the
 *   width of `labelBox(shape)` (inside the outline: padded box, the ellipse's inscribed
 *   rectangle, the sticky's padding), lines aligned by `textAlign` within it, and the block
 *   centred vertically in it (`labelTop`; text too tall overflows evenly above and below).
 * - line and arrow labels: the text's lines (not wrapped) centred on `polylineMidpoint` of the
 *   drawn points, on a rounded box of the canvas colour padded by `LINE_LABEL.PADDING`, so the
 *   line does not run through the letters.
 */
import { getStroke } from 'perfect-freehand';
import { POINT_SHAPE_TYPES, type Shape } from '../board/shape.ts';

export const TEXT_FONT_FAMILY =
  'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Line height as a multiple of the font size. */
export const TEXT_LINE_HEIGHT = 1.25;
/** A rough average glyph width as a multiple of the font size, for renderers that cannot measure. */
export const TEXT_AVERAGE_CHAR_WIDTH = 0.55;

export const STICKY = {
  DEFAULT_FILL: '#fff3a0',
  PADDING: 12,
  CORNER_RADIUS: 6,
  SHADOW_COLOR: 'rgba(0, 0, 0, 0.18)',
  SHADOW_BLUR: 8,
  SHADOW_OFFSET_Y: 3,
  DEFAULT_SIZE: 200,
} as const;

/** Board units between a rect's outline and its label (at most a quarter of the short side). */
export const LABEL_PADDING = 8;
export const LINE_LABEL = { PADDING: 4, CORNER_RADIUS: 4 } as const;
/** The canvas colour in the light theme (behind line labels, the SVG's background). */
export const PAPER_COLOR = '#ffffff';

/** Arrow head: sides at ±ARROW_HEAD_ANGLE_DEG from the shaft, length grows with stroke width. */
export const ARROW_HEAD_ANGLE_DEG = 28;
export const ARROW_HEAD_MIN_LENGTH = 12;
export const ARROW_HEAD_LENGTH_PER_STROKE = 4;

/** perfect-freehand options for pen strokes; `size` comes from `penStrokeSize`. */
export const PEN_STROKE_OPTIONS = {
  thinning: 0.5,
  smoothing: 0.5,
  streamline: 0.5,
  simulatePressure: true,
  last: true,
} as const;

/** The pen stroke's diameter for a shape's strokeWidth. */
export function penStrokeSize(strokeWidth: number): number {
  return Math.max(2, strokeWidth * 2.5);
}

/** Corner radius of rect boxes: gentle, never more than a quarter of the short side. */
export function boxCornerRadius(shape: Pick<Shape, 'width' | 'height'>): number {
  return Math.min(8, Math.min(shape.width, shape.height) / 4);
}

export function stickyFill(shape: Pick<Shape, 'fill'>): string {
  return shape.fill === 'transparent' ? STICKY.DEFAULT_FILL : shape.fill;
}

/** Points as [x, y] pairs. */
export function pointPairs(points: readonly number[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    pairs.push([points[i] as number, points[i + 1] as number]);
  }
  return pairs;
}

/**
 * The arrow head at the end of `points` as [sideX, sideY, tipX, tipY, sideX, sideY], or `[]`
 * when the arrow has no length. Directed along the last segment that has length.
 */
export function arrowHeadPoints(points: readonly number[], strokeWidth: number): number[] {
  const pairs = pointPairs(points);
  const tip = pairs[pairs.length - 1];
  if (!tip) return [];
  let from: [number, number] | undefined;
  for (let i = pairs.length - 2; i >= 0 && !from; i--) {
    const p = pairs[i] as [number, number];
    if (p[0] !== tip[0] || p[1] !== tip[1]) from = p;
  }
  if (!from) return [];
  const angle = Math.atan2(tip[1] - from[1], tip[0] - from[0]);
  const shaft = Math.hypot(tip[0] - from[0], tip[1] - from[1]);
  const length = Math.min(
    Math.max(ARROW_HEAD_MIN_LENGTH, strokeWidth * ARROW_HEAD_LENGTH_PER_STROKE),
    shaft * 0.75 + ARROW_HEAD_MIN_LENGTH / 2,
  );
  const spread = (ARROW_HEAD_ANGLE_DEG * Math.PI) / 180;
  const side = (sign: number): [number, number] => [
    tip[0] - length * Math.cos(angle + sign * spread),
    tip[1] - length * Math.sin(angle + sign * spread),
  ];
  const [ax, ay] = side(1);
  const [bx, by] = side(-1);
  return [ax, ay, tip[0], tip[1], bx, by];
}

/** The pen stroke's outline polygon as flat [x0, y0, x1, y1, …] (local coordinates). */
export function penOutline(points: readonly number[], strokeWidth: number): number[] {
  const outline = getStroke(pointPairs(points), {
    ...PEN_STROKE_OPTIONS,
    size: penStrokeSize(strokeWidth),
  });
  const flat: number[] = [];
  for (const [x, y] of outline) flat.push(x as number, y as number);
  return flat;
}

/** The pen stroke's outline as SVG path data (smoothed with quadratic curves), '' if empty. */
export function penOutlinePath(points: readonly number[], strokeWidth: number): string {
  const pairs = pointPairs(penOutline(points, strokeWidth));
  if (pairs.length < 3) return '';
  const round = (n: number) => Math.round(n * 100) / 100;
  const first = pairs[0] as [number, number];
  let path = `M${round(first[0])},${round(first[1])}Q`;
  for (let i = 0; i < pairs.length; i++) {
    const [x0, y0] = pairs[i] as [number, number];
    const [x1, y1] = pairs[(i + 1) % pairs.length] as [number, number];
    path += `${round(x0)},${round(y0)} ${round((x0 + x1) / 2)},${round((y0 + y1) / 2)} `;
  }
  return `${path.trimEnd()}Z`;
}

/** Splits text into lines wrapped at `maxWidth` (0 = only at newlines), by a width measure. */
export function wrapTextLines(
  text: string,
  maxWidth: number,
  measure: (line: string) => number,
): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (maxWidth <= 0) {
      lines.push(paragraph);
      continue;
    }
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (line !== '' && measure(candidate) > maxWidth) {
        lines.push(line);
        line = word;
      } else {
        line = candidate;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** A measure for `wrapTextLines` where real glyph metrics are not available (e.g. on a server). */
export function estimateTextWidth(line: string, fontSize: number): number {
  return line.length * fontSize * TEXT_AVERAGE_CHAR_WIDTH;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The shape's local box before rotation (points' extent for line/arrow/pen), padded for ink. */
export function localInkBounds(shape: Shape): Bounds {
  const pad = shape.type === 'pen' ? penStrokeSize(shape.strokeWidth) : shape.strokeWidth;
  const arrowPad = shape.type === 'arrow' ? ARROW_HEAD_MIN_LENGTH + shape.strokeWidth * 4 : 0;
  const extra = pad / 2 + arrowPad + (shape.type === 'sticky' ? STICKY.SHADOW_BLUR : 0);
  if (!POINT_SHAPE_TYPES.includes(shape.type)) {
    return {
      x: -extra,
      y: -extra,
      width: shape.width + 2 * extra,
      height: shape.height + 2 * extra,
    };
  }
  const xs = shape.points.filter((_, i) => i % 2 === 0);
  const ys = shape.points.filter((_, i) => i % 2 === 1);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const line = {
    x: minX - extra,
    y: minY - extra,
    width: Math.max(...xs) - minX + 2 * extra,
    height: Math.max(...ys) - minY + 2 * extra,
  };
  const label = shape.type === 'pen' ? null : lineLabelBounds(shape);
  return label ? (unionBounds([line, label]) as Bounds) : line;
}

/** Axis-aligned board-space bounds of everything the shape paints, rotation included. */
export function shapeInkBounds(shape: Shape): Bounds {
  const local = localInkBounds(shape);
  const rad = (shape.rotation * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const corners = [
    [local.x, local.y],
    [local.x + local.width, local.y],
    [local.x, local.y + local.height],
    [local.x + local.width, local.y + local.height],
  ] as const;
  const xs = corners.map(([cx, cy]) => shape.x + cx * cos - cy * sin);
  const ys = corners.map(([cx, cy]) => shape.y + cx * sin + cy * cos);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return { x: minX, y: minY, width: Math.max(...xs) - minX, height: Math.max(...ys) - minY };
}

/** Union of bounds, or null for none. */
export function unionBounds(all: Iterable<Bounds>): Bounds | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const b of all) {
    minX = Math.min(minX, b.x);
    minY = Math.min(minY, b.y);
    maxX = Math.max(maxX, b.x + b.width);
    maxY = Math.max(maxY, b.y + b.height);
  }
  if (minX === Infinity) return null;
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function boundsIntersect(a: Bounds, b: Bounds): boolean {
  return (
    a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height
  );
}

/** The box (local coordinates) a rect, ellipse or sticky label is wrapped to and centred in. */
export function labelBox(shape: Pick<Shape, 'type' | 'width' | 'height'>): Bounds {
  let insetX: number;
  let insetY: number;
  if (shape.type === 'sticky') {
    insetX = insetY = STICKY.PADDING;
  } else if (shape.type === 'ellipse') {
    // The inscribed rectangle of an ellipse with radii a, b is a√2 × b√2.
    const k = (1 - Math.SQRT1_2) / 2;
    insetX = shape.width * k;
    insetY = shape.height * k;
  } else {
    insetX = insetY = Math.min(LABEL_PADDING, shape.width / 4, shape.height / 4);
  }
  return {
    x: insetX,
    y: insetY,
    width: Math.max(1, shape.width - 2 * insetX),
    height: Math.max(0, shape.height - 2 * insetY),
  };
}

/** The top of a label block `textHeight` high, centred vertically in `box`. */
export function labelTop(box: Bounds, textHeight: number): number {
  return box.y + (box.height - textHeight) / 2;
}

/** The height a sticky note needs to show `textHeight` of text inside its padding. */
export function stickyHeightFor(textHeight: number): number {
  return Math.ceil(textHeight + 2 * STICKY.PADDING);
}

/** The point halfway along a polyline (flat local points), by length. */
export function polylineMidpoint(points: readonly number[]): { x: number; y: number } {
  const pairs = pointPairs(points);
  const lengths = pairs.slice(1).map((p, i) => {
    const q = pairs[i] as [number, number];
    return Math.hypot(p[0] - q[0], p[1] - q[1]);
  });
  let remaining = lengths.reduce((sum, length) => sum + length, 0) / 2;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number;
    const [x0, y0] = pairs[i] as [number, number];
    const [x1, y1] = pairs[i + 1] as [number, number];
    if (remaining <= length && length > 0) {
      const t = remaining / length;
      return { x: x0 + (x1 - x0) * t, y: y0 + (y1 - y0) * t };
    }
    remaining -= length;
  }
  const [x, y] = pairs[0] ?? [0, 0];
  return { x, y };
}

/** A line or arrow label's box (local), by estimated glyph widths (for bounds and the SVG). */
export function lineLabelBounds(shape: Shape): Bounds | null {
  if (shape.text === '') return null;
  const lines = shape.text.split('\n');
  const width = Math.max(...lines.map((line) => estimateTextWidth(line, shape.fontSize)));
  const height = lines.length * shape.fontSize * TEXT_LINE_HEIGHT;
  const mid = polylineMidpoint(shape.points);
  const pad = LINE_LABEL.PADDING;
  return {
    x: mid.x - width / 2 - pad,
    y: mid.y - height / 2 - pad,
    width: width + 2 * pad,
    height: height + 2 * pad,
  };
}
