/**
 * The shape schema (contract: "The document"). A stored shape is a bag of fields; `parseShape`
 * turns one into a valid `Shape` or `null`. Missing optional fields get defaults; a missing
 * required field, a wrong type, a non-finite number or a value beyond SHAPE_LIMITS makes the
 * whole shape invalid, and every renderer and snapshot skips it. Unknown fields are ignored.
 *
 * Reference fields (`startId`, `endId`, `groupId`, `assetId`) are optional: a shape without
 * them carries none (an empty string means the same as absent). Every other field is filled
 * with its default, so a snapshot always carries it.
 */
import { isValidShapeId } from './ids.ts';
import { SHAPE_LIMITS } from './limits.ts';

export const SHAPE_TYPES = [
  'rect',
  'ellipse',
  'line',
  'arrow',
  'pen',
  'text',
  'sticky',
  'image',
] as const;
export type ShapeType = (typeof SHAPE_TYPES)[number];

/** Types drawn from `points` rather than a width × height box. */
export const POINT_SHAPE_TYPES: readonly ShapeType[] = ['line', 'arrow', 'pen'];
/** Types whose text is the shape itself (it sizes them), drawn with `fontSize`. */
export const TEXT_SHAPE_TYPES: readonly ShapeType[] = ['text', 'sticky'];
/** Types that draw their `text` as a label inside or along them (contract: "Added fields"). */
export const LABEL_SHAPE_TYPES: readonly ShapeType[] = [
  'rect',
  'ellipse',
  'sticky',
  'arrow',
  'line',
];
/** Types whose ends may be bound to other shapes (`startId`, `endId`). */
export const BINDABLE_LINE_TYPES: readonly ShapeType[] = ['line', 'arrow'];

export const TEXT_ALIGNS = ['left', 'center', 'right'] as const;
export type TextAlign = (typeof TEXT_ALIGNS)[number];
export const STROKE_STYLES = ['solid', 'dashed', 'dotted'] as const;
export type StrokeStyle = (typeof STROKE_STYLES)[number];

export interface Shape {
  id: string;
  type: ShapeType;
  x: number;
  y: number;
  width: number;
  height: number;
  rotation: number;
  /** Flat [x0, y0, x1, y1, …] relative to x,y; empty for box shapes. */
  points: number[];
  stroke: string;
  fill: string;
  strokeWidth: number;
  text: string;
  fontSize: number;
  z: number;
  /** How `text` lines are aligned: `left` by default for text shapes, `center` for labels. */
  textAlign: TextAlign;
  strokeStyle: StrokeStyle;
  /** 0 (invisible) to 1 (opaque). */
  opacity: number;
  /** A locked shape cannot be selected or changed in the editor until unlocked. */
  locked: boolean;
  /** line/arrow: the shape the first point is bound to (drawn on its outline). */
  startId?: string;
  /** line/arrow: the shape the last point is bound to. */
  endId?: string;
  /** Shapes with the same groupId select, move and delete together. */
  groupId?: string;
  /** image: the board asset drawn in the box (lowercase hex SHA-256 of its bytes). */
  assetId?: string;
}

/** The fields a shape may store, as the document names them. */
export type ShapeFields = Omit<Shape, 'id'>;
/** The optional reference fields: absent (or empty) means "none". */
export const SHAPE_REFERENCE_FIELDS = ['startId', 'endId', 'groupId', 'assetId'] as const;
export type ShapeReferenceField = (typeof SHAPE_REFERENCE_FIELDS)[number];
export const SHAPE_FIELD_NAMES = [
  'type',
  'x',
  'y',
  'width',
  'height',
  'rotation',
  'points',
  'stroke',
  'fill',
  'strokeWidth',
  'text',
  'fontSize',
  'z',
  'textAlign',
  'strokeStyle',
  'opacity',
  'locked',
  'startId',
  'endId',
  'groupId',
  'assetId',
] as const satisfies readonly (keyof ShapeFields)[];

/** Defaults of the optional fields with a value. `textAlign` is `left` for text shapes. */
export const SHAPE_DEFAULTS = {
  rotation: 0,
  stroke: '#1e1e1e',
  fill: 'transparent',
  strokeWidth: 2,
  text: '',
  fontSize: 20,
  z: 0,
  textAlign: 'center',
  strokeStyle: 'solid',
  opacity: 1,
  locked: false,
} as const satisfies Partial<ShapeFields>;

/** The alignment a shape of `type` has when it stores none. */
export function defaultTextAlign(type: ShapeType): TextAlign {
  return type === 'text' ? 'left' : 'center';
}

/** Reads one field of a stored shape; `undefined` when absent. */
export type FieldReader = (name: string) => unknown;

const COLOR_PATTERN = /^[#A-Za-z0-9(),.%\s/-]+$/;
/** Asset ids are the lowercase hex SHA-256 of the asset's bytes. */
export const ASSET_ID_PATTERN = /^[0-9a-f]{64}$/;
/** Group ids share the shape ids' alphabet. */
const GROUP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isShapeType(value: unknown): value is ShapeType {
  return typeof value === 'string' && (SHAPE_TYPES as readonly string[]).includes(value);
}

function numberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** A CSS colour as the renderers accept it: short, and only characters colours use. */
export function isColor(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SHAPE_LIMITS.MAX_COLOR_LENGTH &&
    COLOR_PATTERN.test(value)
  );
}

export function isPointList(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length % 2 !== 0) return false;
  if (value.length > SHAPE_LIMITS.MAX_POINT_NUMBERS) return false;
  const max = SHAPE_LIMITS.MAX_COORDINATE;
  return value.every((n) => numberIn(n, -max, max));
}

/**
 * Whether `value` is acceptable for the field `name`. Unknown names accept anything (the gate
 * still bounds their size and kind). Shared by the update gate and `parseShape`.
 */
export function isValidFieldValue(name: string, value: unknown): boolean {
  const L = SHAPE_LIMITS;
  switch (name) {
    case 'type':
      return isShapeType(value);
    case 'x':
    case 'y':
      return numberIn(value, -L.MAX_COORDINATE, L.MAX_COORDINATE);
    case 'width':
    case 'height':
      return numberIn(value, 0, L.MAX_SIZE);
    case 'rotation':
      return numberIn(value, -L.MAX_ROTATION, L.MAX_ROTATION);
    case 'points':
      return isPointList(value);
    case 'stroke':
    case 'fill':
      return isColor(value);
    case 'strokeWidth':
      return numberIn(value, 0, L.MAX_STROKE_WIDTH);
    case 'text':
      return typeof value === 'string' && value.length <= L.MAX_TEXT_LENGTH;
    case 'fontSize':
      return numberIn(value, L.MIN_FONT_SIZE, L.MAX_FONT_SIZE);
    case 'z':
      return numberIn(value, -L.MAX_Z, L.MAX_Z);
    case 'textAlign':
      return (TEXT_ALIGNS as readonly unknown[]).includes(value);
    case 'strokeStyle':
      return (STROKE_STYLES as readonly unknown[]).includes(value);
    case 'opacity':
      return numberIn(value, 0, 1);
    case 'locked':
      return typeof value === 'boolean';
    case 'startId':
    case 'endId':
      return value === '' || isValidShapeId(value);
    case 'groupId':
      return value === '' || (typeof value === 'string' && GROUP_ID_PATTERN.test(value));
    case 'assetId':
      return value === '' || (typeof value === 'string' && ASSET_ID_PATTERN.test(value));
    default:
      return true;
  }
}

export function isAssetId(value: unknown): value is string {
  return typeof value === 'string' && ASSET_ID_PATTERN.test(value);
}

/** The stored value of `name`, its default when absent, or `undefined` when invalid. */
function field(read: FieldReader, name: keyof typeof SHAPE_DEFAULTS): unknown {
  const value = read(name);
  if (value === undefined) return SHAPE_DEFAULTS[name];
  return isValidFieldValue(name, value) ? value : undefined;
}

/**
 * The reference fields a shape of `type` keeps: the non-empty valid ones that apply to it.
 * Null when one is invalid (the whole shape is then invalid, as with any other field).
 */
function references(read: FieldReader, type: ShapeType): Partial<Shape> | null {
  const found: Partial<Record<ShapeReferenceField, string>> = {};
  for (const name of SHAPE_REFERENCE_FIELDS) {
    const value = read(name);
    if (value === undefined || value === '') continue;
    if (!isValidFieldValue(name, value)) return null;
    const applies =
      name === 'groupId' ||
      (name === 'assetId' ? type === 'image' : BINDABLE_LINE_TYPES.includes(type));
    if (applies) found[name] = value as string;
  }
  return found;
}

function sizeOf(value: unknown, pointBased: boolean): unknown {
  return value === undefined && pointBased ? 0 : value;
}

/** Turns stored fields into a valid shape, or `null` when they do not make one. */
export function parseShape(id: string, read: FieldReader): Shape | null {
  if (!isValidShapeId(id)) return null;
  const type = read('type');
  const x = read('x');
  const y = read('y');
  if (!isShapeType(type) || !isValidFieldValue('x', x) || !isValidFieldValue('y', y)) return null;
  const pointBased = POINT_SHAPE_TYPES.includes(type);
  const points = pointBased ? read('points') : [];
  if (pointBased && (!isPointList(points) || points.length < 2)) return null;
  // Lines, arrows and pens default their box to 0 when it is absent (null is not absent).
  const width = sizeOf(read('width'), pointBased);
  const height = sizeOf(read('height'), pointBased);
  if (!isValidFieldValue('width', width) || !isValidFieldValue('height', height)) return null;
  const optional = {
    rotation: field(read, 'rotation'),
    stroke: field(read, 'stroke'),
    fill: field(read, 'fill'),
    strokeWidth: field(read, 'strokeWidth'),
    text: field(read, 'text'),
    fontSize: field(read, 'fontSize'),
    z: field(read, 'z'),
    textAlign: read('textAlign') === undefined ? defaultTextAlign(type) : field(read, 'textAlign'),
    strokeStyle: field(read, 'strokeStyle'),
    opacity: field(read, 'opacity'),
    locked: field(read, 'locked'),
  };
  if (Object.values(optional).some((value) => value === undefined)) return null;
  const refs = references(read, type);
  // An image without its asset has nothing to draw.
  if (refs === null || (type === 'image' && refs.assetId === undefined)) return null;
  return {
    id,
    type,
    x: x as number,
    y: y as number,
    width: width as number,
    height: height as number,
    points: points as number[],
    ...(optional as Pick<Shape, keyof typeof SHAPE_DEFAULTS>),
    ...refs,
  };
}

/** Paint order: z, then id (contract). */
export function comparePaintOrder(a: Shape, b: Shape): number {
  if (a.z !== b.z) return a.z - b.z;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Axis-aligned bounds of a shape before rotation, in board coordinates. */
export function shapeBounds(shape: Shape): { x: number; y: number; width: number; height: number } {
  if (!POINT_SHAPE_TYPES.includes(shape.type)) {
    return { x: shape.x, y: shape.y, width: shape.width, height: shape.height };
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < shape.points.length; i += 2) {
    const px = shape.points[i] as number;
    const py = shape.points[i + 1] as number;
    minX = Math.min(minX, px);
    maxX = Math.max(maxX, px);
    minY = Math.min(minY, py);
    maxY = Math.max(maxY, py);
  }
  return { x: shape.x + minX, y: shape.y + minY, width: maxX - minX, height: maxY - minY };
}
