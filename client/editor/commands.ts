/**
 * Edits of the selection that toolbar buttons, menus and keys share. Each is one undo step.
 */
import { newShapeId } from '../../common/board/ids.ts';
import { TEXT_SHAPE_TYPES, type Shape, type ShapeFields } from '../../common/board/shape.ts';
import { resolveBoundShape } from '../../common/render/line-ends.ts';
import { DASHABLE_TYPES } from '../../common/render/stroke-style.ts';
import {
  alignShifts,
  distributeShifts,
  layoutBox,
  unionBox,
  type Alignment,
  type ArrangeItem,
  type DistributeAxis,
  type Shift,
} from './arrange.ts';
import type { EditorContext } from './editor-context.ts';
import { shapeAtScreen } from './groups.ts';
import type { Point } from './viewport.ts';
import type { ShapeStyle } from './style-defaults.ts';
import { measureText } from './text-measure.ts';

const DUPLICATE_OFFSET = 16;
const FILLABLE_TYPES = new Set(['rect', 'ellipse', 'sticky']);

export class Commands {
  constructor(private readonly editor: EditorContext) {}

  private selected(): Shape[] {
    return this.editor.model.pick(this.editor.selection.current);
  }

  private write(changes: Map<string, Partial<ShapeFields>>): void {
    this.editor.history.beginStep();
    this.editor.model.update(changes);
  }

  deleteSelection(): void {
    const ids = this.editor.selection.current;
    if (ids.length === 0) return;
    this.editor.history.beginStep();
    this.releaseBoundLines(ids);
    this.editor.model.remove(ids);
    this.editor.selection.clear();
  }

  /**
   * Lines and arrows bound to shapes about to be deleted stay where they are drawn: their points
   * become the drawn ones and those ends' bindings are cleared (part of the same undo step, so
   * undo brings the shapes and the bindings back together).
   */
  private releaseBoundLines(deleted: readonly string[]): void {
    const { model, canvas } = this.editor;
    const gone = new Set(deleted);
    const changes = new Map<string, Partial<ShapeFields>>();
    for (const id of deleted) {
      for (const lineId of canvas.shapes.linesBoundTo(id)) {
        const line = model.get(lineId);
        if (!line || gone.has(lineId) || changes.has(lineId)) continue;
        changes.set(lineId, {
          points: resolveBoundShape(line, (other) => model.get(other)).points,
          ...(line.startId && gone.has(line.startId) ? { startId: '' } : {}),
          ...(line.endId && gone.has(line.endId) ? { endId: '' } : {}),
        });
      }
    }
    model.update(changes);
  }

  /** Every shape but the locked ones (they cannot be selected). */
  selectAll(): void {
    this.editor.selection.enteredGroup = null;
    const unlocked = this.editor.model.all().filter((shape) => !shape.locked);
    this.editor.selection.set(unlocked.map((shape) => shape.id));
  }

  /** Ctrl/Cmd+G: the selection (two or more) becomes one group, whatever groups it held. */
  group(): void {
    const shapes = this.selected();
    if (shapes.length < 2) return;
    const groupId = newShapeId();
    this.write(new Map(shapes.map((shape) => [shape.id, { groupId }])));
    this.editor.selection.enteredGroup = null;
  }

  /** Ctrl/Cmd+Shift+G: the selected shapes leave their groups (and stay selected). */
  ungroup(): void {
    const grouped = this.selected().filter((shape) => shape.groupId);
    if (grouped.length === 0) return;
    this.write(new Map(grouped.map((shape) => [shape.id, { groupId: '' }])));
    this.editor.selection.enteredGroup = null;
  }

  /**
   * Ctrl/Cmd+Shift+L: locks the selection (which is then let go: locked shapes cannot be
   * selected); with nothing selected, unlocks the locked shape at `at` (the pointer) and the
   * rest of its group.
   */
  toggleLock(at: Point | null): void {
    const selected = this.selected();
    if (selected.length > 0) {
      this.write(new Map(selected.map((shape) => [shape.id, { locked: true }])));
      this.editor.selection.clear();
      return;
    }
    const shape = at ? lockedShapeAt(this.editor, at) : undefined;
    if (shape) this.unlock(shape);
  }

  /** Unlocks `shape` and the locked members of its group, and selects them. */
  unlock(shape: Shape): void {
    const members = this.editor.model
      .all()
      .filter(
        (s) => s.locked && (s.id === shape.id || (shape.groupId && s.groupId === shape.groupId)),
      );
    this.write(new Map(members.map((s) => [s.id, { locked: false }])));
    this.editor.selection.set(members.map((s) => s.id));
  }

  /** Unlocks every shape on the board. */
  unlockAll(): void {
    const locked = this.editor.model.all().filter((shape) => shape.locked);
    if (locked.length > 0) this.write(new Map(locked.map((s) => [s.id, { locked: false }])));
  }

  /** Lines the selection up (groups move as one); see arrange.ts. */
  align(how: Alignment): void {
    this.moveUnits((items) => alignShifts(items, how));
  }

  /** Spaces the selection evenly (three or more units; groups move as one). */
  distribute(axis: DistributeAxis): void {
    this.moveUnits((items) => distributeShifts(items, axis));
  }

  /** The selection as units (a group, or a lone shape), moved by the shifts `arrange` gives. */
  private moveUnits(arrange: (items: ArrangeItem[]) => Map<string, Shift>): void {
    const units = new Map<string, Shape[]>();
    for (const shape of this.selected()) {
      const key = shape.groupId ? `group:${shape.groupId}` : shape.id;
      units.set(key, [...(units.get(key) ?? []), shape]);
    }
    const items = [...units].map(([id, shapes]) => ({
      id,
      box: unionBox(shapes.map(layoutBox)),
    }));
    const shifts = arrange(items);
    const changes = new Map<string, Partial<ShapeFields>>();
    for (const [id, { dx, dy }] of shifts) {
      for (const shape of units.get(id) ?? []) {
        changes.set(shape.id, { x: tidy(shape.x + dx), y: tidy(shape.y + dy) });
      }
    }
    if (changes.size > 0) this.write(changes);
  }

  /** Adds copies of `shapes` with new ids on top, moved by (dx, dy), and selects them. */
  insertCopies(shapes: readonly Shape[], dx: number, dy: number): void {
    if (shapes.length === 0) return;
    const top = this.editor.model.nextTopZ();
    const newIds = new Map(shapes.map((shape) => [shape.id, newShapeId()]));
    // Copies of a group make a new group of their own.
    const newGroups = new Map<string, string>();
    const groupOf = (id: string) => newGroups.get(id) ?? newGroups.set(id, newShapeId()).get(id);
    const copies = shapes.map((shape, i) => ({
      ...this.copiedBindings(shape, newIds),
      ...(shape.groupId ? { groupId: groupOf(shape.groupId) } : {}),
      id: newIds.get(shape.id) as string,
      x: shape.x + dx,
      y: shape.y + dy,
      z: top + i,
    }));
    this.editor.history.beginStep();
    this.editor.model.add(copies);
    this.editor.selection.enteredGroup = null;
    this.editor.selection.set(copies.filter((shape) => !shape.locked).map((shape) => shape.id));
  }

  /**
   * A copied line stays bound to the copies of its shapes; an end whose shape was not copied is
   * let go where it is drawn now.
   */
  private copiedBindings(shape: Shape, newIds: ReadonlyMap<string, string>): Shape {
    if (!shape.startId && !shape.endId) return shape;
    const { model } = this.editor;
    const drawn = resolveBoundShape(shape, (id) => model.get(id));
    const copy = (id: string | undefined) => (id ? (newIds.get(id) ?? '') : undefined);
    return {
      ...shape,
      points: drawn.points,
      startId: copy(shape.startId),
      endId: copy(shape.endId),
    };
  }

  duplicate(): void {
    this.insertCopies(this.selected(), DUPLICATE_OFFSET, DUPLICATE_OFFSET);
  }

  nudge(dx: number, dy: number): void {
    const changes = new Map<string, Partial<ShapeFields>>();
    for (const shape of this.selected())
      changes.set(shape.id, { x: shape.x + dx, y: shape.y + dy });
    if (changes.size > 0) this.write(changes);
  }

  bringToFront(): void {
    const top = this.editor.model.nextTopZ();
    this.write(new Map(this.selected().map((shape, i) => [shape.id, { z: top + i }])));
  }

  sendToBack(): void {
    const selected = this.selected();
    const bottom = this.editor.model.bottomZ() - selected.length;
    this.write(new Map(selected.map((shape, i) => [shape.id, { z: bottom + i }])));
  }

  /** Moves each selected shape one place up (or down) past its nearest unselected neighbour. */
  moveOneStep(direction: 1 | -1): void {
    const order = this.editor.model.all();
    const selected = new Set(this.editor.selection.current);
    const changes = new Map<string, Partial<ShapeFields>>();
    const indices = order.map((_, i) => i).filter((i) => selected.has(order[i]!.id));
    if (direction === 1) indices.reverse();
    for (const index of indices) {
      const neighbour = nextUnselected(order, selected, index, direction);
      if (neighbour === -1) continue;
      const beyond = order[neighbour + direction];
      const past = order[neighbour]!.z;
      const z = beyond && !selected.has(beyond.id) ? (past + beyond.z) / 2 : past + direction;
      changes.set(order[index]!.id, { z });
    }
    if (changes.size > 0) this.write(changes);
  }

  /** Applies a style change to the selection and makes it the default for new shapes. */
  applyStyle(change: Partial<ShapeStyle>): void {
    this.editor.style.set(change);
    const changes = new Map<string, Partial<ShapeFields>>();
    for (const shape of this.selected()) changes.set(shape.id, styleFieldsFor(shape, change));
    if (changes.size > 0) this.write(changes);
  }
}

/** The locked shape at a board point, if any. */
function lockedShapeAt(editor: EditorContext, at: Point): Shape | undefined {
  const shape = shapeAtScreen(editor, editor.viewport.toScreen(at));
  return shape?.locked ? shape : undefined;
}

/** Hundredths are finer than anyone can see, and keep float noise out of the board. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}

function nextUnselected(order: Shape[], selected: Set<string>, from: number, step: 1 | -1): number {
  for (let i = from + step; i >= 0 && i < order.length; i += step) {
    if (!selected.has(order[i]!.id)) return i;
  }
  return -1;
}

function styleFieldsFor(shape: Shape, change: Partial<ShapeStyle>): Partial<ShapeFields> {
  const fields: Partial<ShapeFields> = {};
  if (change.stroke) fields.stroke = change.stroke;
  if (change.strokeWidth !== undefined && !TEXT_SHAPE_TYPES.includes(shape.type)) {
    fields.strokeWidth = change.strokeWidth;
  }
  if (change.fill && FILLABLE_TYPES.has(shape.type)) fields.fill = change.fill;
  if (change.strokeStyle && DASHABLE_TYPES.includes(shape.type)) {
    fields.strokeStyle = change.strokeStyle;
  }
  if (change.opacity !== undefined) fields.opacity = change.opacity;
  if (change.fontSize !== undefined && TEXT_SHAPE_TYPES.includes(shape.type)) {
    fields.fontSize = change.fontSize;
    if (shape.type === 'text') Object.assign(fields, measureText(shape.text, change.fontSize));
  }
  return fields;
}
