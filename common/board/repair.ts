/**
 * How a stored shape with bad values is made valid again (contract: "A valid edit with a bad
 * value … the server at once repairs the board"). Beside the schema (shape.ts) because it is
 * the schema's other half: `parseShape` says whether fields make a shape, `planShapeRepair`
 * says which field edits make them one.
 *
 * A repair is computed from the stored fields alone, never from the update that wrote them, so
 * every instance that repairs the same shape computes the same edits (they converge), and a
 * repaired shape needs no further repair (nothing loops). Rules, for each known field present:
 *   - numbers: clamped into their range (fontSize, strokeWidth, opacity, coordinates, sizes,
 *     rotation, z); ±Infinity clamps to the nearest limit. A required number (x, y, width,
 *     height) that is not a number at all, or NaN, becomes 0; an optional one is deleted, so
 *     its default applies;
 *   - text: cut to MAX_TEXT_LENGTH characters (never inside a surrogate pair); not a string:
 *     deleted;
 *   - points: numbers clamped, anything else in it becomes 0, cut to MAX_POINT_NUMBERS and to
 *     an even length; not an array: deleted. On a box shape points are not used and left alone;
 *   - colours, textAlign, strokeStyle, locked, startId, endId, groupId, assetId: an invalid
 *     value is deleted (its default, or no reference, applies);
 *   - unknown fields are kept as they are.
 * The outcome: `valid`; `incomplete` (a required field is missing: type, x, y, width and height
 * of a box, at least one point of a line, arrow or pen, the asset of an image), which a later
 * write may still supply, e.g. from a client that writes a new shape's fields one transaction
 * at a time; or `unrepairable` (`type` holds something that is not a shape type), which no
 * value of ours can fix: the shape is deleted.
 */
import { SHAPE_LIMITS } from './limits.ts';
import {
  isShapeType,
  isValidFieldValue,
  POINT_SHAPE_TYPES,
  SHAPE_FIELD_NAMES,
  type ShapeType,
} from './shape.ts';

export type ShapeFieldName = (typeof SHAPE_FIELD_NAMES)[number];

/** Set `field` to `value`, or delete it (`value` undefined). */
export interface FieldEdit {
  field: ShapeFieldName;
  value?: unknown;
}

export type RepairOutcome = 'valid' | 'incomplete' | 'unrepairable';

export interface ShapeRepair {
  /** The edits that make every present known field valid (none when they all are). */
  edits: FieldEdit[];
  /** What the shape is once the edits are made. */
  outcome: RepairOutcome;
}

/** The stored fields of one shape: a field is present when it is an own key (even undefined). */
export type StoredFields = Readonly<Record<string, unknown>>;

const L = SHAPE_LIMITS;
/** Ranges of the numeric fields, and whether the field is required (no default to fall back on). */
const NUMBER_RANGES: Partial<
  Record<ShapeFieldName, { min: number; max: number; required: boolean }>
> = {
  x: { min: -L.MAX_COORDINATE, max: L.MAX_COORDINATE, required: true },
  y: { min: -L.MAX_COORDINATE, max: L.MAX_COORDINATE, required: true },
  width: { min: 0, max: L.MAX_SIZE, required: true },
  height: { min: 0, max: L.MAX_SIZE, required: true },
  rotation: { min: -L.MAX_ROTATION, max: L.MAX_ROTATION, required: false },
  strokeWidth: { min: 0, max: L.MAX_STROKE_WIDTH, required: false },
  fontSize: { min: L.MIN_FONT_SIZE, max: L.MAX_FONT_SIZE, required: false },
  z: { min: -L.MAX_Z, max: L.MAX_Z, required: false },
  opacity: { min: 0, max: 1, required: false },
};
/** What a required number that is not a number becomes. */
const REQUIRED_NUMBER_FALLBACK = 0;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `text` cut to `max` UTF-16 units, never between the halves of a surrogate pair. */
export function truncateText(text: string, max: number = L.MAX_TEXT_LENGTH): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return text.slice(0, splitsPair ? max - 1 : max);
}

/** A number list within the limits: numbers clamped, anything else 0, even length, not too long. */
export function repairPoints(points: readonly unknown[]): number[] {
  const max = L.MAX_COORDINATE;
  const length = Math.min(points.length - (points.length % 2), L.MAX_POINT_NUMBERS);
  const repaired: number[] = [];
  for (let i = 0; i < length; i++) {
    const value = points[i];
    repaired.push(typeof value === 'number' && !Number.isNaN(value) ? clamp(value, -max, max) : 0);
  }
  return repaired;
}

/** The repaired value of a field holding `value`, or undefined to delete the field. */
function repairedValue(field: ShapeFieldName, value: unknown): unknown {
  const range = NUMBER_RANGES[field];
  if (range) {
    if (typeof value === 'number' && !Number.isNaN(value))
      return clamp(value, range.min, range.max);
    return range.required ? REQUIRED_NUMBER_FALLBACK : undefined;
  }
  if (field === 'text') return typeof value === 'string' ? truncateText(value) : undefined;
  if (field === 'points') return Array.isArray(value) ? repairPoints(value) : undefined;
  return undefined; // colours, enums, flags and references: back to the default or to none
}

function isPointBased(type: unknown): boolean {
  return isShapeType(type) && POINT_SHAPE_TYPES.includes(type);
}

/** Whether a required field is missing once `edits` are made; the shape may still get it. */
function isIncomplete(fields: StoredFields, edits: readonly FieldEdit[], type: ShapeType): boolean {
  const after = (name: ShapeFieldName): unknown => {
    const edit = edits.find((candidate) => candidate.field === name);
    return edit ? edit.value : fields[name];
  };
  if (after('x') === undefined || after('y') === undefined) return true;
  if (isPointBased(type)) {
    const points = after('points');
    return !Array.isArray(points) || points.length < 2;
  }
  if (after('width') === undefined || after('height') === undefined) return true;
  const assetId = after('assetId');
  return type === 'image' && (assetId === undefined || assetId === '');
}

/**
 * The edits that make `fields` (one shape's stored fields) valid, and what the shape is then.
 * Pure; the same fields always give the same repair.
 */
export function planShapeRepair(fields: StoredFields): ShapeRepair {
  const type = fields.type;
  if (type !== undefined && !isShapeType(type)) return { edits: [], outcome: 'unrepairable' };
  const edits: FieldEdit[] = [];
  for (const field of SHAPE_FIELD_NAMES) {
    if (field === 'type' || !Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    if (isValidFieldValue(field, value) && value !== undefined) continue;
    // A box shape never reads its points: whatever is stored there is left alone.
    if (field === 'points' && isShapeType(type) && !isPointBased(type)) continue;
    edits.push({ field, value: repairedValue(field, value) });
  }
  if (type === undefined || isIncomplete(fields, edits, type))
    return { edits, outcome: 'incomplete' };
  return { edits, outcome: 'valid' };
}

/** `fields` with `edits` made (what the stored shape holds after a repair). */
export function applyFieldEdits(
  fields: StoredFields,
  edits: readonly FieldEdit[],
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...fields };
  for (const { field, value } of edits) {
    if (value === undefined) delete result[field];
    else result[field] = value;
  }
  return result;
}

/**
 * `fields` with each known field that holds a bad value made valid the way a repair would; a
 * bad value of an optional field is left out (the stored value, or the default, stays). For
 * writers that keep to the limits before they send (the editor), so the server never has to
 * repair what they write.
 */
export function clampFields<T extends object>(fields: T): T {
  const clamped = { ...fields } as Record<string, unknown>;
  for (const name of SHAPE_FIELD_NAMES) {
    if (name === 'type' || !Object.hasOwn(clamped, name)) continue;
    const value = clamped[name];
    if (value === undefined || isValidFieldValue(name, value)) continue;
    const repaired = repairedValue(name, value);
    if (repaired === undefined) delete clamped[name];
    else clamped[name] = repaired;
  }
  return clamped as T;
}
