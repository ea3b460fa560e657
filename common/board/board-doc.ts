/**
 * The document layout, and the only code that knows it (contract: "The document"):
 * `doc.getMap('shapes')` maps a shape id to a `Y.Map` of that shape's fields, so two people
 * changing different fields of one shape both win. `points` is stored as a plain array
 * (a `Y.Array` of numbers is read too). Server, editor and tests all go through here.
 */
import * as Y from 'yjs';
import { comparePaintOrder, parseShape, type Shape, type ShapeFields } from './shape.ts';

export const SHAPES_MAP_NAME = 'shapes';

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

export function removeShapes(doc: Y.Doc, ids: Iterable<string>, origin?: unknown): void {
  doc.transact(() => {
    const root = getShapesMap(doc);
    for (const id of ids) root.delete(id);
  }, origin);
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
