/**
 * The editor's view of the board document: a cache of valid shapes kept in step with Yjs
 * (incrementally, from the ids observeShapes reports) and the edits the editor makes, all
 * tagged with the local origin so that undo tracks only this person's changes. Every edit is
 * kept within the documented limits before it is written (clampFields: font size, text length,
 * coordinates, sizes, point counts), so the server never has to repair what this editor sends.
 */
import type * as Y from 'yjs';
import {
  addShapes,
  observeShapes,
  readShape,
  readShapes,
  removeShapes,
  restoreShapes,
  setDrawing,
  updateShapes,
} from '../../common/board/board-doc.ts';
import { clampFields } from '../../common/board/repair.ts';
import { comparePaintOrder, type Shape, type ShapeFields } from '../../common/board/shape.ts';

export interface ShapeChanges {
  /** Shapes added or changed (valid ones only). */
  upserted: Shape[];
  /** Ids removed, or whose entry became invalid. */
  removed: string[];
  /** Whether this tab made the change. */
  local: boolean;
}

export type ShapeChangeListener = (changes: ShapeChanges) => void;

/**
 * Big additions (an import, a paste, a benchmark) go out as several updates of about this many
 * bytes of shape data each, so no one WebSocket message exceeds the server's size limit
 * (MAX_MESSAGE_BYTES, 8 MiB by default) and each stays cheap to check. Undo still takes them back
 * as one step.
 */
export const MAX_ADD_BYTES_PER_TRANSACTION = 256 * 1024;

export class BoardModel {
  private readonly cache = new Map<string, Shape>();
  /** Ids of each group's shapes: a group is found without a pass over the board. */
  private readonly groups = new Map<string, Set<string>>();
  private readonly listeners = new Set<ShapeChangeListener>();
  /**
   * The origin of the frame-by-frame writes of a shape being drawn (LiveShape): undo tracks it
   * with the local origin, but it is not counted as one more unsent change per frame.
   */
  readonly liveOrigin: object;

  constructor(
    readonly doc: Y.Doc,
    /** The transaction origin of this tab's edits (tracked by undo). */
    readonly localOrigin: object,
  ) {
    this.liveOrigin = { live: localOrigin };
    for (const shape of readShapes(doc)) this.store(shape);
    observeShapes(doc, (ids, transaction) => this.refresh(ids, transaction.origin));
  }

  get size(): number {
    return this.cache.size;
  }

  get(id: string): Shape | undefined {
    return this.cache.get(id);
  }

  has(id: string): boolean {
    return this.cache.has(id);
  }

  /** Every valid shape, in paint order. */
  all(): Shape[] {
    return [...this.cache.values()].sort(comparePaintOrder);
  }

  /** The shapes of the group `groupId`, in paint order. */
  groupShapes(groupId: string): Shape[] {
    return this.pick(this.groups.get(groupId) ?? []);
  }

  /** The shapes with these ids that exist, in paint order. */
  pick(ids: Iterable<string>): Shape[] {
    const picked: Shape[] = [];
    for (const id of ids) {
      const shape = this.cache.get(id);
      if (shape) picked.push(shape);
    }
    return picked.sort(comparePaintOrder);
  }

  /** A z above every shape, for new shapes. */
  nextTopZ(): number {
    let top = 0;
    for (const shape of this.cache.values()) top = Math.max(top, shape.z);
    return Math.floor(top) + 1;
  }

  bottomZ(): number {
    let bottom = 0;
    for (const shape of this.cache.values()) bottom = Math.min(bottom, shape.z);
    return bottom;
  }

  onChange(listener: ShapeChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(shapes: readonly Shape[]): void {
    const clamped = shapes.map((shape) => clampFields(shape));
    for (const chunk of chunkBySize(clamped, MAX_ADD_BYTES_PER_TRANSACTION)) {
      addShapes(this.doc, chunk, this.localOrigin);
    }
  }

  /** `live`: one frame of a shape being drawn or typed (see `liveOrigin`). */
  update(changes: ReadonlyMap<string, Partial<ShapeFields>>, { live = false } = {}): void {
    if (changes.size === 0) return;
    const clamped = new Map([...changes].map(([id, fields]) => [id, clampFields(fields)]));
    updateShapes(this.doc, clamped, live ? this.liveOrigin : this.localOrigin);
  }

  /** Puts a shape being drawn on the board, marked as this tab's (DRAWING_FIELD). */
  addDrawing(shape: Shape): void {
    this.doc.transact(() => {
      addShapes(this.doc, [clampFields(shape)], this.localOrigin);
      setDrawing(this.doc, shape.id, this.doc.clientID, this.localOrigin);
    }, this.localOrigin);
  }

  /** The last write of a shape being drawn: its final fields and the mark's removal, at once. */
  finishDrawing(id: string, fields: Partial<ShapeFields>): void {
    this.doc.transact(() => {
      updateShapes(this.doc, new Map([[id, clampFields(fields)]]), this.liveOrigin);
      setDrawing(this.doc, id, null, this.liveOrigin);
    }, this.liveOrigin);
  }

  remove(ids: Iterable<string>): void {
    const list = [...ids];
    if (list.length > 0) removeShapes(this.doc, list, this.localOrigin);
  }

  /** Makes the board hold exactly `shapes` (a history checkpoint), changing only what differs. */
  restore(shapes: readonly Shape[]): void {
    restoreShapes(this.doc, shapes, this.localOrigin);
  }

  private refresh(ids: Set<string>, origin: unknown): void {
    const local = origin === this.localOrigin || origin === this.liveOrigin;
    const changes: ShapeChanges = { upserted: [], removed: [], local };
    for (const id of ids) {
      const shape = readShape(this.doc, id);
      if (shape) {
        this.store(shape);
        changes.upserted.push(shape);
      } else if (this.forget(id)) {
        changes.removed.push(id);
      }
    }
    for (const listener of this.listeners) listener(changes);
  }

  private store(shape: Shape): void {
    const previous = this.cache.get(shape.id);
    if (previous?.groupId !== shape.groupId) this.ungroup(previous);
    this.cache.set(shape.id, shape);
    if (!shape.groupId) return;
    let members = this.groups.get(shape.groupId);
    if (!members) this.groups.set(shape.groupId, (members = new Set()));
    members.add(shape.id);
  }

  private forget(id: string): boolean {
    this.ungroup(this.cache.get(id));
    return this.cache.delete(id);
  }

  private ungroup(shape: Shape | undefined): void {
    if (!shape?.groupId) return;
    const members = this.groups.get(shape.groupId);
    members?.delete(shape.id);
    if (members?.size === 0) this.groups.delete(shape.groupId);
  }
}

/** Splits `shapes` into runs whose JSON size stays under `maxBytes` (at least one shape each). */
function chunkBySize(shapes: readonly Shape[], maxBytes: number): Shape[][] {
  const chunks: Shape[][] = [];
  let current: Shape[] = [];
  let size = 0;
  for (const shape of shapes) {
    const bytes = JSON.stringify(shape).length;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(shape);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
