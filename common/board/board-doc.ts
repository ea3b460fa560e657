/**
 * The document layout, and the only code that knows it (contract: "The document"):
 * `doc.getMap('shapes')` maps a shape id to a `Y.Map` of that shape's fields, so two people
 * changing different fields of one shape both win. `points` is stored as a plain array
 * (a `Y.Array` of numbers is read too). Server, editor and tests all go through here.
 */
import * as Y from 'yjs';
import { isValidShapeId } from './ids.ts';
import { planShapeRepair, type StoredFields } from './repair.ts';
import { defaultFieldValue, type ShapePatch } from './shape-input.ts';
import {
  comparePaintOrder,
  parseShape,
  SHAPE_FIELD_NAMES,
  type Shape,
  type ShapeFields,
} from './shape.ts';

export const SHAPES_MAP_NAME = 'shapes';

/**
 * The layout as the server's update gate enforces it on every update (server/room/update-gate.ts):
 * the root holds only `shapes`; `shapes` maps a valid shape id to a Y.Map; a shape's entries are
 * keyed by field name. Anything below a shape (field values, `points` as a Y.Array, unknown
 * fields) is free as far as the layout goes: bad values of known fields are repaired, not
 * refused (repair.ts).
 */
export const BOARD_LAYOUT = {
  /** The only root type. */
  rootName: SHAPES_MAP_NAME,
  /** Whether `key` may name an entry of `shapes`. */
  isShapeKey: (key: string | null): boolean => isValidShapeId(key),
  /** What an entry of `shapes` holds (or a deletion of one). */
  shapeContent: 'map',
} as const;

export type ShapeMap = Y.Map<unknown>;

export function getShapesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(SHAPES_MAP_NAME);
}

/** Reads a stored field as plain data (nested Yjs types become JSON). */
function readField(map: ShapeMap, name: string): unknown {
  const value = map.get(name);
  return value instanceof Y.AbstractType ? value.toJSON() : value;
}

/** The valid shape stored under `id`, or null (absent, not a map, or invalid). */
export function readShapeFromValue(id: string, value: unknown): Shape | null {
  if (!(value instanceof Y.Map)) return null;
  return parseShape(id, (name) => readField(value as ShapeMap, name));
}

export function readShape(doc: Y.Doc, id: string): Shape | null {
  return readShapeFromValue(id, getShapesMap(doc).get(id));
}

/** Every valid shape, in paint order (z, then id). Invalid entries are skipped. */
export function readShapes(doc: Y.Doc): Shape[] {
  const shapes: Shape[] = [];
  getShapesMap(doc).forEach((value, id) => {
    const shape = readShapeFromValue(id, value);
    if (shape) shapes.push(shape);
  });
  return shapes.sort(comparePaintOrder);
}

/** The valid shapes, in paint order, of a board's whole state as one update (a checkpoint). */
export function readShapesOfState(state: Uint8Array): Shape[] {
  const doc = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(doc, state);
    return readShapes(doc);
  } finally {
    doc.destroy();
  }
}

/** Adds shapes in one transaction. Fields equal to undefined are not stored. */
export function addShapes(doc: Y.Doc, shapes: readonly Shape[], origin?: unknown): void {
  doc.transact(() => {
    const root = getShapesMap(doc);
    for (const { id, ...fields } of shapes) {
      const map = new Y.Map<unknown>();
      for (const [name, value] of Object.entries(fields)) {
        if (value !== undefined) map.set(name, Array.isArray(value) ? [...value] : value);
      }
      root.set(id, map);
    }
  }, origin);
}

/** Sets the given fields of existing shapes; only values that differ are written. */
export function updateShapes(
  doc: Y.Doc,
  changes: ReadonlyMap<string, Partial<ShapeFields>>,
  origin?: unknown,
): void {
  doc.transact(() => {
    const root = getShapesMap(doc);
    for (const [id, fields] of changes) {
      const map = root.get(id);
      if (!(map instanceof Y.Map)) continue;
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined || sameValue(readField(map as ShapeMap, name), value)) continue;
        map.set(name, Array.isArray(value) ? [...value] : value);
      }
    }
  }, origin);
}

/**
 * A shape being drawn (a rectangle dragged out, a pen stroke) is on the board from the gesture's
 * first move, marked with its drawer's Yjs client id in this field until the gesture's last
 * write, which removes the mark in the same transaction. An unknown field to every reader
 * (contract: unknown fields are kept and ignored). A shape still marked when its drawer's
 * connection ends was abandoned mid-gesture (the drawer's editor cancels it too): the server
 * removes it, so a lost connection leaves nothing behind.
 */
export const DRAWING_FIELD = 'drawing';

/** Marks `id` as being drawn by `clientId`, or (null) as finished. */
export function setDrawing(
  doc: Y.Doc,
  id: string,
  clientId: number | null,
  origin?: unknown,
): void {
  doc.transact(() => {
    const map = getShapesMap(doc).get(id);
    if (!(map instanceof Y.Map)) return;
    if (clientId === null) {
      if (map.has(DRAWING_FIELD)) map.delete(DRAWING_FIELD);
    } else if (map.get(DRAWING_FIELD) !== clientId) {
      map.set(DRAWING_FIELD, clientId);
    }
  }, origin);
}

/** The shapes still marked as being drawn by one of `clientIds`. */
export function shapesDrawnBy(doc: Y.Doc, clientIds: ReadonlySet<number>): string[] {
  const ids: string[] = [];
  getShapesMap(doc).forEach((map, id) => {
    const drawer = map instanceof Y.Map ? map.get(DRAWING_FIELD) : undefined;
    if (typeof drawer === 'number' && clientIds.has(drawer)) ids.push(id);
  });
  return ids;
}

export function removeShapes(doc: Y.Doc, ids: Iterable<string>, origin?: unknown): void {
  doc.transact(() => {
    const root = getShapesMap(doc);
    for (const id of ids) root.delete(id);
  }, origin);
}

/**
 * Sets and removes fields of one shape (the shapes API's PATCH); false when it does not exist.
 * Only values that differ are written.
 */
export function patchShape(doc: Y.Doc, id: string, patch: ShapePatch, origin?: unknown): boolean {
  const map = getShapesMap(doc).get(id);
  if (!(map instanceof Y.Map)) return false;
  doc.transact(() => {
    updateShapes(doc, new Map([[id, patch.set]]));
    for (const name of patch.unset) if (map.has(name)) map.delete(name);
  }, origin);
  return true;
}

/**
 * Makes the board hold exactly `target` (a checkpoint's shapes: board history), in one
 * transaction: shapes not in it are removed, missing ones added, and on the others only the
 * fields that differ are written, so a person editing another field of a shape meanwhile keeps
 * their change, and an undo of the restore takes back just what it changed. A field stored
 * nowhere counts as its default. Unknown fields of existing shapes are left alone.
 */
export function restoreShapes(doc: Y.Doc, target: readonly Shape[], origin?: unknown): void {
  doc.transact(() => {
    const root = getShapesMap(doc);
    const wanted = new Map(target.map((shape) => [shape.id, shape]));
    for (const id of [...root.keys()]) if (!wanted.has(id)) root.delete(id);
    for (const shape of target) {
      const map = root.get(shape.id);
      if (!(map instanceof Y.Map)) {
        addShapes(doc, [shape]);
        continue;
      }
      restoreFields(map as ShapeMap, shape);
    }
  }, origin);
}

function restoreFields(map: ShapeMap, shape: Shape): void {
  const fields = shape as unknown as Readonly<Record<string, unknown>>; // a Shape read by field name
  for (const name of SHAPE_FIELD_NAMES) {
    const wanted = fields[name];
    const stored = readField(map, name);
    if (wanted === undefined) {
      if (map.has(name)) map.delete(name);
    } else if (stored === undefined && sameValue(wanted, defaultFieldValue(name, shape.type))) {
      continue;
    } else if (!sameValue(stored, wanted)) {
      map.set(name, Array.isArray(wanted) ? [...(wanted as unknown[])] : wanted);
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => value === b[i]);
  }
  return a === b;
}

/**
 * Calls `listener` after every transaction that touched shapes, with the ids whose entry or
 * fields changed (added, changed or removed). Returns the unsubscribe function.
 */
export function observeShapes(
  doc: Y.Doc,
  listener: (changedIds: Set<string>, transaction: Y.Transaction) => void,
): () => void {
  const root = getShapesMap(doc);
  const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction) => {
    const changed = new Set<string>();
    for (const event of events) {
      if (event.target === root) {
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) changed.add(key);
      } else {
        const id = event.path[0];
        if (typeof id === 'string') changed.add(id);
      }
    }
    if (changed.size > 0) listener(changed, transaction);
  };
  root.observeDeep(handler);
  return () => root.unobserveDeep(handler);
}

const KNOWN_FIELD_NAMES: ReadonlySet<string> = new Set(SHAPE_FIELD_NAMES);

/**
 * The known fields stored for shape `id` (present even when undefined), or null if it is gone.
 * One pass over the entries the shape has (a board loads by checking every shape with this),
 * rather than two lookups for every field name it might have.
 */
export function readStoredFields(doc: Y.Doc, id: string): StoredFields | null {
  const map = getShapesMap(doc).get(id);
  if (!(map instanceof Y.Map)) return null;
  const fields: Record<string, unknown> = {};
  (map as ShapeMap).forEach((value, name) => {
    if (KNOWN_FIELD_NAMES.has(name))
      fields[name] = value instanceof Y.AbstractType ? value.toJSON() : value;
  });
  return fields;
}

/** What `repairShapes` changed. */
export interface RepairReport {
  /** Shape id → the fields set or deleted. */
  fields: Map<string, string[]>;
  /** Shapes deleted: no valid type, or still incomplete when that was asked. */
  deleted: string[];
}

/**
 * Makes the given shapes valid as `planShapeRepair` says, in one transaction: bad fields set or
 * deleted, unrepairable shapes deleted, and incomplete ones too when `deleteIncomplete`.
 */
export function repairShapes(
  doc: Y.Doc,
  ids: Iterable<string>,
  options: { deleteIncomplete: boolean },
): RepairReport {
  const report: RepairReport = { fields: new Map(), deleted: [] };
  doc.transact(() => {
    const root = getShapesMap(doc);
    for (const id of ids) {
      const stored = readStoredFields(doc, id);
      if (!stored) continue;
      const { edits, outcome } = planShapeRepair(stored);
      if (outcome === 'unrepairable' || (outcome === 'incomplete' && options.deleteIncomplete)) {
        root.delete(id);
        report.deleted.push(id);
        continue;
      }
      if (edits.length === 0) continue;
      const map = root.get(id) as ShapeMap;
      for (const { field, value } of edits) {
        if (value === undefined) map.delete(field);
        else map.set(field, value);
      }
      report.fields.set(
        id,
        edits.map((edit) => edit.field),
      );
    }
  });
  return report;
}
