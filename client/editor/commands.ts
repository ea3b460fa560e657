/**
 * Edits of the selection that toolbar buttons, menus and keys share. Each is one undo step.
 */
import { newShapeId } from '../../common/board/ids.ts';
import { TEXT_SHAPE_TYPES, type Shape, type ShapeFields } from '../../common/board/shape.ts';
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
    this.editor.model.remove(ids);
    this.editor.selection.clear();
  }

  selectAll(): void {
    this.editor.selection.set(this.editor.model.all().map((shape) => shape.id));
  }

  /** Adds copies of `shapes` with new ids on top, moved by (dx, dy), and selects them. */
  insertCopies(shapes: readonly Shape[], dx: number, dy: number): void {
    if (shapes.length === 0) return;
    const top = this.editor.model.nextTopZ();
    const copies = shapes.map((shape, i) => ({
      ...shape,
      id: newShapeId(),
      x: shape.x + dx,
      y: shape.y + dy,
      z: top + i,
    }));
    this.editor.history.beginStep();
    this.editor.model.add(copies);
    this.editor.selection.set(copies.map((shape) => shape.id));
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
  if (change.fontSize !== undefined && TEXT_SHAPE_TYPES.includes(shape.type)) {
    fields.fontSize = change.fontSize;
    if (shape.type === 'text') Object.assign(fields, measureText(shape.text, change.fontSize));
  }
  return fields;
}
