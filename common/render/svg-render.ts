/**
 * The board as one SVG image (`GET /api/boards/<id>.svg`), drawn as shape-geometry.ts says the
 * editor draws it: same placement and rotation, arrow heads, perfect-freehand pen outlines,
 * sticky colours and shadow, text wrapped by estimated glyph widths (a server cannot measure).
 * Pure string building, no DOM: every text and attribute is escaped, and characters XML forbids
 * are dropped, so no board content can inject markup or make the file unreadable.
 */
import type { Shape } from '../board/shape.ts';
import {
  STICKY,
  TEXT_FONT_FAMILY,
  TEXT_LINE_HEIGHT,
  arrowHeadPoints,
  boxCornerRadius,
  estimateTextWidth,
  penOutlinePath,
  pointPairs,
  shapeInkBounds,
  stickyFill,
  unionBounds,
  wrapTextLines,
  labelBox,
  labelTop,
  lineLabelBounds,
  LINE_LABEL,
  PAPER_COLOR,
  type Bounds,
} from './shape-geometry.ts';
import { resolveBoundShape } from './line-ends.ts';
import { DASHABLE_TYPES, strokeDash, strokeNeedsRoundCaps } from './stroke-style.ts';

/** Board units of empty space around the shapes. */
export const SVG_MARGIN = 24;
export const SVG_BACKGROUND = PAPER_COLOR;
const EMPTY_BOARD: Bounds = { x: 0, y: 0, width: 100, height: 100 };
const SHADOW_ID = 'sticky-shadow';
/** Code points XML 1.0 does not allow, lone surrogates included. */
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeXml(value: string): string {
  return value.replace(XML_FORBIDDEN, '').replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Numbers short and exact enough: two decimals, no exponent. */
function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** `name="value"` pairs, each value escaped. */
function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(
      ([name, value]) => `${name}="${escapeXml(typeof value === 'number' ? num(value) : value)}"`,
    )
    .join(' ');
}

function polylinePoints(points: readonly number[]): string {
  return pointPairs(points)
    .map(([x, y]) => `${num(x)},${num(y)}`)
    .join(' ');
}

function strokedLine(shape: Shape, points: readonly number[]): string {
  return `<polyline ${attrs({
    points: polylinePoints(points),
    fill: 'none',
    stroke: shape.stroke,
    'stroke-width': shape.strokeWidth,
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  })}/>`;
}

/** Text lines as Konva lays them out: first line's top at `inset`, one line-height apart. */
function textBlock(shape: Shape, inset: number): string {
  if (shape.text === '') return '';
  const wrapWidth = shape.width > 0 ? Math.max(1, shape.width - 2 * inset) : 0;
  const lineHeight = shape.fontSize * TEXT_LINE_HEIGHT;
  const lines = wrapLines(shape.text, wrapWidth, shape.fontSize);
  const spans = lines
    .map(
      (line, i) =>
        `<tspan ${attrs({ x: inset, y: inset + (i + 0.5) * lineHeight })}>${escapeXml(line)}</tspan>`,
    )
    .join('');
  const textAttrs = attrs({
    fill: shape.stroke,
    'font-family': TEXT_FONT_FAMILY,
    'font-size': shape.fontSize,
    'dominant-baseline': 'central',
    style: 'white-space:pre',
  });
  return `<text xml:space="preserve" ${textAttrs}>${spans}</text>`;
}

const ANCHORS = { left: 'start', center: 'middle', right: 'end' } as const;

/** `lines` as a text block: the first line's top at `top`, each anchored at `x`. */
function textLines(shape: Shape, lines: readonly string[], x: number, top: number): string {
  const lineHeight = shape.fontSize * TEXT_LINE_HEIGHT;
  const spans = lines
    .map(
      (line, i) =>
        `<tspan ${attrs({ x, y: top + (i + 0.5) * lineHeight })}>${escapeXml(line)}</tspan>`,
    )
    .join('');
  const textAttrs = attrs({
    fill: shape.stroke,
    'font-family': TEXT_FONT_FAMILY,
    'font-size': shape.fontSize,
    'dominant-baseline': 'central',
    'text-anchor': ANCHORS[shape.textAlign],
    style: 'white-space:pre',
  });
  return `<text xml:space="preserve" ${textAttrs}>${spans}</text>`;
}

/** The label of a rect, ellipse or sticky: wrapped to its label box, centred in it. */
function labelBlock(shape: Shape): string {
  if (shape.text === '') return '';
  const box = labelBox(shape);
  const lines = wrapLines(shape.text, box.width, shape.fontSize);
  const top = labelTop(box, lines.length * shape.fontSize * TEXT_LINE_HEIGHT);
  const x = { left: box.x, center: box.x + box.width / 2, right: box.x + box.width };
  return textLines(shape, lines, x[shape.textAlign], top);
}

/** The label of a line or arrow: on a paper-coloured box at its middle. */
function lineLabel(shape: Shape): string {
  const box = lineLabelBounds(shape);
  if (!box) return '';
  const pad = LINE_LABEL.PADDING;
  const r = LINE_LABEL.CORNER_RADIUS;
  const background = `<rect ${attrs({ ...box, rx: r, ry: r, fill: SVG_BACKGROUND })}/>`;
  const x = {
    left: box.x + pad,
    center: box.x + box.width / 2,
    right: box.x + box.width - pad,
  };
  return background + textLines(shape, shape.text.split('\n'), x[shape.textAlign], box.y + pad);
}

function wrapLines(text: string, maxWidth: number, fontSize: number): string[] {
  return wrapTextLines(text, maxWidth, (line) => estimateTextWidth(line, fontSize));
}

const DRAW: Record<Shape['type'], (shape: Shape) => string> = {
  rect: (s) => {
    const r = boxCornerRadius(s);
    const box = { width: s.width, height: s.height, rx: r, ry: r };
    return (
      `<rect ${attrs({ ...box, fill: s.fill, stroke: s.stroke, 'stroke-width': s.strokeWidth })}/>` +
      labelBlock(s)
    );
  },
  ellipse: (s) =>
    `<ellipse ${attrs({ cx: s.width / 2, cy: s.height / 2, rx: s.width / 2, ry: s.height / 2, fill: s.fill, stroke: s.stroke, 'stroke-width': s.strokeWidth })}/>` +
    labelBlock(s),
  line: (s) => strokedLine(s, s.points) + lineLabel(s),
  arrow: (s) => {
    const head = arrowHeadPoints(s.points, s.strokeWidth);
    const headSvg = head.length > 0 ? solid(strokedLine(s, head)) : '';
    return strokedLine(s, s.points) + headSvg + lineLabel(s);
  },
  pen: (s) => {
    const d = penOutlinePath(s.points, s.strokeWidth);
    return d === ''
      ? ''
      : `<path ${attrs({ d, fill: s.stroke, stroke: s.stroke, 'stroke-width': 1 })}/>`;
  },
  text: (s) => textBlock(s, 0),
  sticky: (s) => {
    const box = {
      width: s.width,
      height: s.height,
      rx: STICKY.CORNER_RADIUS,
      ry: STICKY.CORNER_RADIUS,
    };
    const rect = `<rect ${attrs({ ...box, fill: stickyFill(s), filter: `url(#${SHADOW_ID})` })}/>`;
    return rect + labelBlock(s);
  },
  // An image whose asset cannot be named (no SvgOptions.assetHref): a frame in its place.
  image: (s) =>
    `<rect ${attrs({ width: s.width, height: s.height, fill: '#f1f3f5', stroke: '#ced4da', 'stroke-width': 1 })}/>`,
};

export interface SvgOptions {
  /**
   * Where an image shape's asset is: its URL (the server's SVG: `/api/boards/<id>/assets/<assetId>`)
   * or a data URL (exported files); null or absent draws a frame in its place.
   */
  assetHref?: (assetId: string) => string | null;
  /** The background fill; null: transparent. */
  background?: string | null;
}

function imageToSvg(shape: Shape, options: SvgOptions): string {
  const href = shape.assetId ? options.assetHref?.(shape.assetId) : null;
  if (!href) return DRAW.image(shape);
  return `<image ${attrs({ href, width: shape.width, height: shape.height, preserveAspectRatio: 'none' })}/>`;
}

/** An arrow head stays solid on a dashed or dotted arrow (stroke-style.ts). */
function solid(element: string): string {
  return element.replace('/>', ' stroke-dasharray="none"/>');
}

/**
 * The group's stroke style and opacity (stroke-style.ts): `stroke-dasharray` and
 * `stroke-linecap` are inherited, so they reach the outline inside; opacity covers it all.
 */
function styleAttrs(shape: Shape): Record<string, string | number> {
  const dash = DASHABLE_TYPES.includes(shape.type)
    ? strokeDash(shape.strokeStyle, shape.strokeWidth)
    : [];
  return {
    ...(dash.length > 0 ? { 'stroke-dasharray': dash.map(num).join(' ') } : {}),
    ...(dash.length > 0 && strokeNeedsRoundCaps(shape.strokeStyle)
      ? { 'stroke-linecap': 'round' }
      : {}),
    ...(shape.opacity < 1 ? { opacity: shape.opacity } : {}),
  };
}

/** One shape: a group placed at (x, y) and rotated clockwise about it, as the editor does. */
export function shapeToSvg(shape: Shape, options: SvgOptions = {}): string {
  const transform = `translate(${num(shape.x)} ${num(shape.y)})${shape.rotation ? ` rotate(${num(shape.rotation)})` : ''}`;
  const body = shape.type === 'image' ? imageToSvg(shape, options) : DRAW[shape.type](shape);
  const group = attrs({ 'data-id': shape.id, transform, ...styleAttrs(shape) });
  return `<g ${group}>${body}</g>`;
}

function shadowFilter(): string {
  return (
    `<defs><filter id="${SHADOW_ID}" x="-20%" y="-20%" width="140%" height="140%">` +
    `<feDropShadow ${attrs({ dx: 0, dy: STICKY.SHADOW_OFFSET_Y, stdDeviation: STICKY.SHADOW_BLUR / 2, 'flood-color': STICKY.SHADOW_COLOR })}/>` +
    `</filter></defs>`
  );
}

/**
 * The whole board (shapes already valid and in paint order); the viewBox fits their ink. Bound
 * lines and arrows are drawn with their ends on their shapes (line-ends.ts).
 */
export function renderBoardSvg(stored: readonly Shape[], options: SvgOptions = {}): string {
  const byId = new Map(stored.map((shape) => [shape.id, shape]));
  const shapes = stored.map((shape) => resolveBoundShape(shape, (id) => byId.get(id)));
  const ink = unionBounds(shapes.map(shapeInkBounds)) ?? EMPTY_BOARD;
  const x = Math.floor(ink.x - SVG_MARGIN);
  const y = Math.floor(ink.y - SVG_MARGIN);
  const width = Math.ceil(ink.x + ink.width + SVG_MARGIN) - x;
  const height = Math.ceil(ink.y + ink.height + SVG_MARGIN) - y;
  const root = attrs({
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `${x} ${y} ${width} ${height}`,
    width,
    height,
  });
  const fill = options.background === undefined ? SVG_BACKGROUND : options.background;
  const background = fill === null ? '' : `<rect ${attrs({ x, y, width, height, fill })}/>`;
  const defs = shapes.some((shape) => shape.type === 'sticky') ? shadowFilter() : '';
  return `<svg ${root}>${defs}${background}${shapes.map((shape) => shapeToSvg(shape, options)).join('')}</svg>\n`;
}
