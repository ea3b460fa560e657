/**
 * Shapes as programs send them (the shapes API: contract, "Shapes over HTTP"), checked against
 * the schema in shape.ts before anything is written. Where the editor's and peers' edits with a
 * bad value are accepted and repaired (repair.ts), a request from a script is refused instead,
 * with the field and the reason (HTTP 422), so the script learns what it got wrong.
 *
 * Only the documented fields may be written (plus `id`): an unknown field is refused rather than
 * stored, so a typo such as `widht` is reported instead of silently ignored. `null` in a patch
 * removes an optional field (its default applies again).
 */
import { isValidShapeId } from './ids.ts';
import { SHAPE_LIMITS } from './limits.ts';
import {
  isValidFieldValue,
  parseShape,
  POINT_SHAPE_TYPES,
  SHAPE_DEFAULTS,
  SHAPE_FIELD_NAMES,
  SHAPE_TYPES,
  STROKE_STYLES,
  TEXT_ALIGNS,
  type Shape,
  type ShapeFields,
} from './shape.ts';

/** Why a shape (or a patch) was refused: the field, as a path into the request body, and why. */
export interface ShapeInputError {
  field: string;
  reason: string;
}

export type Checked<T> = { ok: true; value: T } | ({ ok: false } & ShapeInputError);

/** A shape to add or replace: its id (null: the server picks one) and its fields as given. */
export interface ShapeInput {
  id: string | null;
  fields: Partial<ShapeFields>;
}

/** A patch of one shape: fields to set, and optional fields to remove (given as null). */
export interface ShapePatch {
  set: Partial<ShapeFields>;
  unset: string[];
}

const L = SHAPE_LIMITS;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(SHAPE_FIELD_NAMES);
/** Fields without a default: a patch cannot remove them. */
const REQUIRED_FIELDS: ReadonlySet<string> = new Set(['type', 'x', 'y', 'width', 'height']);

/** What a field must hold, in words (the reason of a 422). */
export function expectedValue(field: string): string {
  switch (field) {
    case 'type':
      return `one of ${SHAPE_TYPES.join(', ')}`;
    case 'x':
    case 'y':
      return `a finite number from ${-L.MAX_COORDINATE} to ${L.MAX_COORDINATE}`;
    case 'width':
    case 'height':
      return `a finite number from 0 to ${L.MAX_SIZE}`;
    case 'rotation':
      return `a number of degrees from ${-L.MAX_ROTATION} to ${L.MAX_ROTATION}`;
    case 'points':
      return `a flat array of an even number (at most ${L.MAX_POINT_NUMBERS}) of finite numbers from ${-L.MAX_COORDINATE} to ${L.MAX_COORDINATE}`;
    case 'stroke':
    case 'fill':
      return `a CSS colour of at most ${L.MAX_COLOR_LENGTH} characters`;
    case 'strokeWidth':
      return `a number from 0 to ${L.MAX_STROKE_WIDTH}`;
    case 'text':
      return `a string of at most ${L.MAX_TEXT_LENGTH} characters`;
    case 'fontSize':
      return `a number from ${L.MIN_FONT_SIZE} to ${L.MAX_FONT_SIZE}`;
    case 'z':
      return `a number from ${-L.MAX_Z} to ${L.MAX_Z}`;
    case 'textAlign':
      return `one of ${TEXT_ALIGNS.join(', ')}`;
    case 'strokeStyle':
      return `one of ${STROKE_STYLES.join(', ')}`;
    case 'opacity':
      return 'a number from 0 to 1';
    case 'locked':
      return 'true or false';
    case 'startId':
    case 'endId':
      return 'a shape id ([A-Za-z0-9_-], 1 to 64 characters)';
    case 'groupId':
      return 'a group id ([A-Za-z0-9_-], 1 to 64 characters)';
    case 'assetId':
      return 'an asset id (64 lowercase hex digits)';
    default:
      return 'a documented shape field';
  }
}

function fail<T>(field: string, reason: string): Checked<T> {
  return { ok: false, field, reason };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first required field `fields` lack for their type, as parseShape needs it; null if none. */
function missingRequired(fields: Readonly<Record<string, unknown>>): ShapeInputError | null {
  const type = fields.type;
  if (type === undefined) return { field: 'type', reason: `is required: ${expectedValue('type')}` };
  for (const name of ['x', 'y'])
    if (fields[name] === undefined) return { field: name, reason: 'is required' };
  const pointBased = POINT_SHAPE_TYPES.includes(type as Shape['type']);
  if (pointBased) {
    const points = fields.points;
    if (!Array.isArray(points) || points.length < 2)
      return { field: 'points', reason: `is required for a ${String(type)}: at least one point` };
  } else {
    for (const name of ['width', 'height'])
      if (fields[name] === undefined)
        return { field: name, reason: `is required for a ${String(type)}` };
  }
  if (type === 'image' && !fields.assetId)
    return { field: 'assetId', reason: 'is required for an image' };
  return null;
}

/** Whether `fields` make a valid shape; else the field that does not. */
function checkWhole(
  fields: Readonly<Record<string, unknown>>,
  prefix: string,
): ShapeInputError | null {
  if (parseShape('checked', (name) => fields[name])) return null;
  const missing = missingRequired(fields);
  if (missing) return { field: prefix + missing.field, reason: missing.reason };
  return { field: prefix.replace(/\.$/, '') || 'shape', reason: 'does not make a valid shape' };
}

/** Checks the given fields one by one: documented, not null, and valid. */
function checkFields(
  body: Record<string, unknown>,
  prefix: string,
  allowNull: boolean,
): Checked<ShapePatch> {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === 'id') continue;
    const field = prefix + name;
    if (!KNOWN_FIELDS.has(name))
      return fail(field, `is not a shape field (the fields are: ${SHAPE_FIELD_NAMES.join(', ')})`);
    if (value === null) {
      if (!allowNull) return fail(field, `must not be null: ${expectedValue(name)}`);
      if (REQUIRED_FIELDS.has(name)) return fail(field, 'is required and cannot be removed');
      unset.push(name);
      continue;
    }
    if (!isValidFieldValue(name, value)) return fail(field, `must be ${expectedValue(name)}`);
    set[name] = value;
  }
  return { ok: true, value: { set: set as Partial<ShapeFields>, unset } };
}

/** One shape of `{ "shapes": [ … ] }` (at index `index`), checked whole. */
export function checkShapeInput(value: unknown, index: number): Checked<ShapeInput> {
  const prefix = `shapes[${index}].`;
  if (!isPlainObject(value)) return fail(`shapes[${index}]`, 'must be an object');
  const id = value.id;
  if (id !== undefined && !isValidShapeId(id))
    return fail(`${prefix}id`, 'must be a shape id ([A-Za-z0-9_-], 1 to 64 characters)');
  const fields = checkFields(value, prefix, false);
  if (!fields.ok) return fields;
  const whole = checkWhole(fields.value.set, prefix);
  if (whole) return { ok: false, ...whole };
  return { ok: true, value: { id: (id as string | undefined) ?? null, fields: fields.value.set } };
}

/** The body of a POST: `{ "shapes": [ … ] }`, each shape checked, ids not repeated. */
export function checkShapesBody(body: unknown): Checked<ShapeInput[]> {
  if (!isPlainObject(body) || !Array.isArray(body.shapes))
    return fail('shapes', 'must be an array of shapes: {"shapes": [ … ]}');
  const inputs: ShapeInput[] = [];
  const seen = new Set<string>();
  for (const [index, value] of body.shapes.entries()) {
    const checked = checkShapeInput(value, index);
    if (!checked.ok) return checked;
    const { id } = checked.value;
    if (id !== null && seen.has(id))
      return fail(`shapes[${index}].id`, 'repeats the id of an earlier shape in this request');
    if (id !== null) seen.add(id);
    inputs.push(checked.value);
  }
  return { ok: true, value: inputs };
}

/**
 * The body of a PATCH (the fields to change; null removes an optional one), checked on its own
 * and then against the shape it changes (`stored`: its fields now), so the result is valid.
 */
export function checkShapePatch(
  body: unknown,
  stored: Readonly<Record<string, unknown>> | null,
  shapeId: string,
): Checked<ShapePatch> {
  if (!isPlainObject(body)) return fail('body', 'must be an object of the fields to change');
  if (body.id !== undefined && body.id !== shapeId)
    return fail('id', 'cannot be changed (it names the shape)');
  const patch = checkFields(body, '', true);
  if (!patch.ok || !stored) return patch;
  const merged: Record<string, unknown> = { ...stored, ...patch.value.set };
  for (const name of patch.value.unset) delete merged[name];
  const whole = checkWhole(merged, '');
  return whole ? { ok: false, ...whole } : patch;
}

/** The value `name` has on a shape of `type` that does not store it (undefined: no default). */
export function defaultFieldValue(name: string, type: Shape['type']): unknown {
  if (name === 'textAlign') return type === 'text' ? 'left' : 'center';
  if (name === 'points' && !POINT_SHAPE_TYPES.includes(type)) return [];
  if ((name === 'width' || name === 'height') && POINT_SHAPE_TYPES.includes(type)) return 0;
  return (SHAPE_DEFAULTS as Readonly<Record<string, unknown>>)[name];
}
