/**
 * Edits of the selection that toolbar buttons, menus and keys share. Each is one undo step.
 */
import { newShapeId } from '../../common/board/ids.ts';
import { TEXT_SHAPE_TYPES, type Shape, type ShapeFields } from '../../common/board/shape.ts';
import { resolveBoundShape } from '../../common/render/line-ends.ts';
import { DASHABLE_TYPES } from '../../common/render/stroke-style.ts';
import type { EditorContext } from './editor-context.ts';
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

  selectAll(): void {
    this.editor.selection.set(this.editor.model.all().map((shape) => shape.id));
  }

  /** Adds copies of `shapes` with new ids on top, moved by (dx, dy), and selects them. */
  insertCopies(shapes: readonly Shape[], dx: number, dy: number): void {
    if (shapes.length === 0) return;
    const top = this.editor.model.nextTopZ();
    const newIds = new Map(shapes.map((shape) => [shape.id, newShapeId()]));
    const copies = shapes.map((shape, i) => ({
      ...this.copiedBindings(shape, newIds),
      id: newIds.get(shape.id) as string,
      x: shape.x + dx,
      y: shape.y + dy,
      z: top + i,
    }));
    this.editor.history.beginStep();
    this.editor.model.add(copies);
    this.editor.selection.set(copies.map((shape) => shape.id));
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
