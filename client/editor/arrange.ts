/**
 * Align and distribute maths (pure). Each item is a unit that moves as one (a shape, or a
 * whole group); the answer is the shift of each unit.
 *
 * - Align lines the units up on the selection's bounds: `left` puts every unit's left edge on
 *   the leftmost edge, `center` every centre on the bounds' centre, and so on (as Excalidraw
 *   and Figma do).
 * - Distribute (at least three units) keeps the two outermost units where they are and spaces
 *   the others so the gaps between neighbours are equal, in the order of their centres.
 */
import { shapeBounds, type Shape } from '../../common/board/shape.ts';
import { shapeInkBounds } from '../../common/render/shape-geometry.ts';
import type { Box } from './snapping.ts';

/**
 * The box a shape lines up by: its own box (a line's points) when it is not rotated, so edges
 * meet exactly; the bounds of what it paints when it is rotated.
 */
export function layoutBox(shape: Shape): Box {
  return shape.rotation % 360 === 0 ? shapeBounds(shape) : shapeInkBounds(shape);
}

/** The union of boxes (at least one). */
export function unionBox(boxes: readonly Box[]): Box {
  const minX = Math.min(...boxes.map((b) => b.x));
  const minY = Math.min(...boxes.map((b) => b.y));
  const maxX = Math.max(...boxes.map((b) => b.x + b.width));
  const maxY = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export type Alignment = 'left' | 'center' | 'right' | 'top' | 'middle' | 'bottom';
export const ALIGNMENTS: readonly Alignment[] = [
  'left',
  'center',
  'right',
  'top',
  'middle',
  'bottom',
];
export type DistributeAxis = 'horizontal' | 'vertical';

export interface ArrangeItem {
  id: string;
  box: Box;
}

export interface Shift {
  dx: number;
  dy: number;
}

/** Shifts that align `items` (two or more) as `how` says; units already in place are left out. */
export function alignShifts(items: readonly ArrangeItem[], how: Alignment): Map<string, Shift> {
  const shifts = new Map<string, Shift>();
  if (items.length < 2) return shifts;
  const all = unionBox(items.map((item) => item.box));
  for (const { id, box } of items) {
    const shift = { dx: 0, dy: 0 };
    if (how === 'left') shift.dx = all.x - box.x;
    else if (how === 'center') shift.dx = all.x + all.width / 2 - (box.x + box.width / 2);
    else if (how === 'right') shift.dx = all.x + all.width - (box.x + box.width);
    else if (how === 'top') shift.dy = all.y - box.y;
    else if (how === 'middle') shift.dy = all.y + all.height / 2 - (box.y + box.height / 2);
    else shift.dy = all.y + all.height - (box.y + box.height);
    if (shift.dx !== 0 || shift.dy !== 0) shifts.set(id, shift);
  }
  return shifts;
}

/** Shifts that space `items` (three or more) evenly along `axis`. */
export function distributeShifts(
  items: readonly ArrangeItem[],
  axis: DistributeAxis,
): Map<string, Shift> {
  const shifts = new Map<string, Shift>();
  if (items.length < 3) return shifts;
  const start = (b: Box) => (axis === 'horizontal' ? b.x : b.y);
  const size = (b: Box) => (axis === 'horizontal' ? b.width : b.height);
  const sorted = [...items].sort(
    (a, b) => start(a.box) + size(a.box) / 2 - (start(b.box) + size(b.box) / 2),
  );
  const first = sorted[0] as ArrangeItem;
  const last = sorted[sorted.length - 1] as ArrangeItem;
  const span = start(last.box) + size(last.box) - start(first.box);
  const occupied = sorted.reduce((sum, item) => sum + size(item.box), 0);
  const gap = (span - occupied) / (sorted.length - 1);
  let next = start(first.box);
  for (const item of sorted) {
    const delta = next - start(item.box);
    if (Math.abs(delta) > 1e-9) {
      shifts.set(item.id, axis === 'horizontal' ? { dx: delta, dy: 0 } : { dx: 0, dy: delta });
    }
    next += size(item.box) + gap;
  }
  return shifts;
}
