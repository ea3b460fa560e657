/**
 * The Konva drawing of one `Shape`, shared by the editor and the read-only viewer. Takes plain
 * shapes (no Yjs here, so the viewer bundle stays Yjs-free) and draws them as
 * common/render/shape-geometry.ts describes.
 *
 *   createShapeNode(shape)        → a Konva.Group placed at (x, y), rotated, named 'shape', with
 *                                    `id()` = shape.id; its children draw the shape locally.
 *   updateShapeNode(node, shape)  → brings an existing group up to date in place (rebuilds its
 *                                    children only when the type changed).
 *   shapeIdOfNode(node)           → the shape id of any Konva node inside such a group, or null.
 */
import Konva from 'konva';
import type { Shape, ShapeType } from '../../common/board/shape.ts';
import {
  STICKY,
  TEXT_FONT_FAMILY,
  TEXT_LINE_HEIGHT,
  arrowHeadPoints,
  boxCornerRadius,
  penOutline,
  stickyFill,
  labelBox,
  labelTop,
  polylineMidpoint,
  LINE_LABEL,
  PAPER_COLOR,
} from '../../common/render/shape-geometry.ts';
import { strokeDash, strokeNeedsRoundCaps } from '../../common/render/stroke-style.ts';
import { assetImagesOf } from './asset-images.ts';

export const SHAPE_NODE_NAME = 'shape';
/** The Konva.Text of a label (the text editor hides it while editing). */
export const LABEL_NAME = 'label';
/** Thin strokes are hard to click: hit areas are at least this wide (screen-independent). */
const MIN_HIT_STROKE_WIDTH = 12;
const TYPE_ATTR = 'shapeType';
/** Pen outlines are costly: recomputed only when points or stroke width change. */
const PEN_KEY_ATTR = 'penKey';

type ChildBuilder = (shape: Shape) => Konva.Shape[];
type ChildUpdater = (children: Konva.Shape[], shape: Shape) => void;

const quiet = { perfectDrawEnabled: false, shadowForStrokeEnabled: false } as const;
const hitWidth = (shape: Shape) => Math.max(shape.strokeWidth, MIN_HIT_STROKE_WIDTH);

/** Dashes or dots of the outline (stroke-style.ts); a solid one turns dashing off. */
function dashAttrs(s: Shape): Konva.ShapeConfig {
  const dash = strokeDash(s.strokeStyle, s.strokeWidth);
  return {
    dash,
    dashEnabled: dash.length > 0,
    ...(strokeNeedsRoundCaps(s.strokeStyle) ? { lineCap: 'round' } : {}),
  };
}

/** An arrow's head is stroked like its line but always solid. */
const SOLID: Konva.ShapeConfig = { dash: [], dashEnabled: false };

function textAttrs(shape: Shape, inset: number): Konva.TextConfig {
  return {
    x: inset,
    y: inset,
    text: shape.text,
    fontSize: shape.fontSize,
    fontFamily: TEXT_FONT_FAMILY,
    lineHeight: TEXT_LINE_HEIGHT,
    fill: shape.stroke,
    width: shape.width > 0 ? Math.max(1, shape.width - 2 * inset) : undefined,
    wrap: 'word',
  };
}

const rectAttrs = (s: Shape): Konva.RectConfig => ({
  width: s.width,
  height: s.height,
  fill: s.fill,
  stroke: s.stroke,
  strokeWidth: s.strokeWidth,
  cornerRadius: boxCornerRadius(s),
  hitStrokeWidth: hitWidth(s),
  ...dashAttrs(s),
});

const ellipseAttrs = (s: Shape): Konva.EllipseConfig => ({
  x: s.width / 2,
  y: s.height / 2,
  radiusX: s.width / 2,
  radiusY: s.height / 2,
  fill: s.fill,
  stroke: s.stroke,
  strokeWidth: s.strokeWidth,
  hitStrokeWidth: hitWidth(s),
  ...dashAttrs(s),
});

const lineAttrs = (s: Shape, points: number[]): Konva.LineConfig => ({
  points,
  stroke: s.stroke,
  strokeWidth: s.strokeWidth,
  lineCap: 'round',
  lineJoin: 'round',
  hitStrokeWidth: hitWidth(s),
  ...dashAttrs(s),
});

const stickyBoxAttrs = (s: Shape): Konva.RectConfig => ({
  width: s.width,
  height: s.height,
  fill: stickyFill(s),
  cornerRadius: STICKY.CORNER_RADIUS,
  shadowColor: STICKY.SHADOW_COLOR,
  shadowBlur: STICKY.SHADOW_BLUR,
  shadowOffsetY: STICKY.SHADOW_OFFSET_Y,
});

function penAttrs(s: Shape): Konva.LineConfig {
  return {
    points: penOutline(s.points, s.strokeWidth),
    closed: true,
    fill: s.stroke,
    // A hairline of the same colour gives thin strokes a clickable hit area.
    stroke: s.stroke,
    strokeWidth: 1,
    hitStrokeWidth: MIN_HIT_STROKE_WIDTH,
  };
}

function updatePen(children: Konva.Shape[], s: Shape, group: Konva.Group): void {
  const key = `${s.strokeWidth}|${s.points.join(',')}`;
  if (group.getAttr(PEN_KEY_ATTR) === key) {
    children[0]?.setAttrs({ fill: s.stroke, stroke: s.stroke });
    return;
  }
  group.setAttr(PEN_KEY_ATTR, key);
  children[0]?.setAttrs(penAttrs(s));
}

/** The frame drawn where an image is loading, or could not be loaded. */
const IMAGE_FRAME = { fill: '#f1f3f5', stroke: '#ced4da', failedStroke: '#fa5252' } as const;

/**
 * An image shape draws its asset from the layer's AssetImages (asset-images.ts), scaled to its
 * box; until it has loaded, and where it cannot be, a frame. It is hit as its whole box.
 */
const imageAttrs = (s: Shape): Konva.ShapeConfig => ({
  width: s.width,
  height: s.height,
  assetId: s.assetId ?? '',
  fill: IMAGE_FRAME.fill,
  sceneFunc: drawImageShape,
  hitFunc: (context: Konva.Context, node: Konva.Shape) => {
    context.beginPath();
    context.rect(0, 0, node.width(), node.height());
    context.closePath();
    context.fillStrokeShape(node);
  },
});

function drawImageShape(context: Konva.Context, node: Konva.Shape): void {
  const assetId = String(node.getAttr('assetId') ?? '');
  const images = assetImagesOf(node);
  const image = assetId && images ? images.get(assetId) : null;
  if (image) {
    context.drawImage(image, 0, 0, node.width(), node.height());
    return;
  }
  context.beginPath();
  context.rect(0, 0, node.width(), node.height());
  context.closePath();
  context.fillStyle = IMAGE_FRAME.fill;
  context.fill();
  context.lineWidth = 1;
  context.strokeStyle = images?.failed(assetId) ? IMAGE_FRAME.failedStroke : IMAGE_FRAME.stroke;
  context.stroke();
}

const BUILDERS: Record<ShapeType, ChildBuilder> = {
  rect: (s) => [new Konva.Rect({ ...quiet, ...rectAttrs(s) })],
  ellipse: (s) => [new Konva.Ellipse({ ...quiet, ...ellipseAttrs(s) })],
  line: (s) => [new Konva.Line({ ...quiet, ...lineAttrs(s, s.points) })],
  arrow: (s) => [
    new Konva.Line({ ...quiet, ...lineAttrs(s, s.points) }),
    new Konva.Line({
      ...quiet,
      ...lineAttrs(s, arrowHeadPoints(s.points, s.strokeWidth)),
      ...SOLID,
    }),
  ],
  pen: () => [new Konva.Line({ ...quiet, points: [] })],
  text: (s) => [new Konva.Text({ ...quiet, ...textAttrs(s, 0) })],
  sticky: (s) => [new Konva.Rect({ ...quiet, ...stickyBoxAttrs(s) })],
  image: (s) => [new Konva.Shape({ ...quiet, ...imageAttrs(s) })],
};

const UPDATERS: Record<Exclude<ShapeType, 'pen'>, ChildUpdater> = {
  rect: ([box], s) => box?.setAttrs(rectAttrs(s)),
  ellipse: ([ellipse], s) => ellipse?.setAttrs(ellipseAttrs(s)),
  line: ([line], s) => line?.setAttrs(lineAttrs(s, s.points)),
  arrow: ([shaft, head], s) => {
    shaft?.setAttrs(lineAttrs(s, s.points));
    head?.setAttrs({ ...lineAttrs(s, arrowHeadPoints(s.points, s.strokeWidth)), ...SOLID });
  },
  text: ([text], s) => text?.setAttrs(textAttrs(s, 0)),
  sticky: ([box], s) => box?.setAttrs(stickyBoxAttrs(s)),
  image: ([picture], s) => picture?.setAttrs(imageAttrs(s)),
};

/**
 * Whether `shape` draws a label: a sticky always (its text is its content), a rect, ellipse,
 * line or arrow when it has text. Unlabelled shapes carry no text node, so big boards of plain
 * boxes cost no more than before labels.
 */
function hasLabel(shape: Shape): boolean {
  if (shape.type === 'sticky') return true;
  return (
    shape.text !== '' && shape.type !== 'text' && shape.type !== 'pen' && shape.type !== 'image'
  );
}

const isLineType = (type: ShapeType) => type === 'line' || type === 'arrow';

/** The label's children (after the shape's own): a text, behind it a box for lines. */
function buildLabel(shape: Shape): Konva.Shape[] {
  const text = new Konva.Text({ ...quiet, name: LABEL_NAME });
  if (!isLineType(shape.type)) return [text];
  return [new Konva.Rect({ ...quiet, listening: false }), text];
}

/** A box shape's label: wrapped to its label box, aligned, centred vertically in it. */
function updateBoxLabel(text: Konva.Shape | undefined, shape: Shape): void {
  if (!(text instanceof Konva.Text)) return;
  const box = labelBox(shape);
  text.setAttrs({
    ...textAttrs(shape, 0),
    x: box.x,
    width: box.width,
    align: shape.textAlign,
  });
  text.y(labelTop(box, text.height()));
}

/** A line's label: its lines centred on the line's middle, on a box of the canvas colour. */
function updateLineLabel(children: Konva.Shape[], shape: Shape, paper: string): void {
  const [background, text] = children;
  if (!(text instanceof Konva.Text) || !background) return;
  text.setAttrs({ ...textAttrs(shape, 0), width: undefined, align: shape.textAlign, wrap: 'none' });
  const width = text.width();
  const height = text.height();
  const mid = polylineMidpoint(shape.points);
  text.position({ x: mid.x - width / 2, y: mid.y - height / 2 });
  const pad = LINE_LABEL.PADDING;
  background.setAttrs({
    x: mid.x - width / 2 - pad,
    y: mid.y - height / 2 - pad,
    width: width + 2 * pad,
    height: height + 2 * pad,
    cornerRadius: LINE_LABEL.CORNER_RADIUS,
    fill: paper,
  });
}

/** A new Konva group drawing `shape`; `paper` is the canvas colour (behind line labels). */
export function createShapeNode(shape: Shape, paper: string = PAPER_COLOR): Konva.Group {
  const group = new Konva.Group({ id: shape.id, name: SHAPE_NODE_NAME });
  updateShapeNode(group, shape, paper);
  return group;
}

/** Brings `group` (made by createShapeNode) up to date with `shape`. */
export function updateShapeNode(
  group: Konva.Group,
  shape: Shape,
  paper: string = PAPER_COLOR,
): void {
  group.setAttrs({
    x: shape.x,
    y: shape.y,
    rotation: shape.rotation,
    scaleX: 1,
    scaleY: 1,
    opacity: shape.opacity,
  });
  const labelled = hasLabel(shape);
  const kind = `${shape.type}${labelled ? '+label' : ''}`;
  if (group.getAttr(TYPE_ATTR) !== kind) {
    group.destroyChildren();
    group.setAttr(TYPE_ATTR, kind);
    group.setAttr(PEN_KEY_ATTR, undefined);
    group.add(...BUILDERS[shape.type](shape));
    if (labelled) group.add(...buildLabel(shape));
  }
  const children = group.getChildren() as Konva.Shape[];
  if (shape.type === 'pen') updatePen(children, shape, group);
  else UPDATERS[shape.type](children, shape);
  if (!labelled) return;
  const label = children.slice(BUILDERS_CHILD_COUNT[shape.type]);
  if (isLineType(shape.type)) updateLineLabel(label, shape, paper);
  else updateBoxLabel(label[0], shape);
}

/** How many children the shape itself has before its label's. */
const BUILDERS_CHILD_COUNT: Record<ShapeType, number> = {
  rect: 1,
  ellipse: 1,
  line: 1,
  arrow: 2,
  pen: 1,
  text: 1,
  sticky: 1,
  image: 1,
};

/** The id of the shape that `node` (a shape group or any node inside one) draws, or null. */
export function shapeIdOfNode(node: Konva.Node | null): string | null {
  for (let current = node; current; current = current.getParent()) {
    if (current.hasName(SHAPE_NODE_NAME)) return current.id();
  }
  return null;
}
