/**
 * Bound ends of lines and arrows (contract: "The document", `startId` / `endId`): the one
 * geometry function the editor, the viewer and the server's SVG all draw bound lines with.
 *
 * A bound end is computed, never stored: it lies on the bound shape's outline (a box for rect,
 * sticky, text and image, the inscribed ellipse for ellipse; the shape's rotation included),
 * where the ray from the shape's centre towards the end's reference point leaves the outline
 * (contract: "drawn on the bound shape's outline"; `BINDING_GAP` would push it out). The reference point is the line's neighbouring point: the next
 * stored point of a bent line, or else the other end (the other bound shape's centre when that
 * end is bound too, its stored point otherwise). When the reference is the centre itself (both
 * ends bound to one shape and no bend), the end faces its own stored point instead.
 *
 * A binding to a missing shape, to one that cannot hold a binding (a line, an arrow, a pen
 * stroke, the line itself) or to one with no size falls back to the stored point, so a line
 * whose target is deleted stays where its ends were last written. The editor writes the
 * resolved ends into a line's points whenever it draws, moves an end of, or deletes the target
 * of one, so that stored point is where the person last saw the end.
 */
import type { Shape, ShapeType } from '../board/shape.ts';

/**
 * Board units between a bound end and the outline of its shape: none, the end is on the outline
 * (the arrow head's tip touches the shape's stroke).
 */
export const BINDING_GAP = 0;
/** Types an end may be bound to. */
export const BINDING_TARGET_TYPES: readonly ShapeType[] = [
  'rect',
  'ellipse',
  'sticky',
  'text',
  'image',
];

export interface Point {
  x: number;
  y: number;
}

/** Finds a shape by id (a Map's `get`, the editor's model, a renderer's entries). */
export type ShapeLookup = (id: string) => Shape | undefined;

/** The bound ends of a line, in board coordinates; null where an end is not (validly) bound. */
export interface ResolvedEnds {
  start: Point | null;
  end: Point | null;
}

function rotate(p: Point, degrees: number): Point {
  if (degrees === 0) return p;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  return { x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos };
}

/** A point of the shape's local frame (before its rotation about x, y) in board coordinates. */
export function localToBoard(shape: Shape, local: Point): Point {
  const r = rotate(local, shape.rotation);
  return { x: shape.x + r.x, y: shape.y + r.y };
}

/** A board point in the shape's local frame. */
export function boardToLocal(shape: Shape, board: Point): Point {
  return rotate({ x: board.x - shape.x, y: board.y - shape.y }, -shape.rotation);
}

/** Whether `target` can hold an end of `line`. */
export function canBind(line: Shape, target: Shape | undefined): target is Shape {
  return (
    target !== undefined &&
    target.id !== line.id &&
    BINDING_TARGET_TYPES.includes(target.type) &&
    target.width > 0 &&
    target.height > 0
  );
}

/**
 * Whether the board point lies inside `shape`'s outline (box or ellipse, rotation included),
 * grown by `margin` board units on every side.
 */
export function outlineContains(shape: Shape, point: Point, margin = 0): boolean {
  const local = boardToLocal(shape, point);
  const a = shape.width / 2 + margin;
  const b = shape.height / 2 + margin;
  const dx = local.x - shape.width / 2;
  const dy = local.y - shape.height / 2;
  if (a <= 0 || b <= 0) return false;
  if (shape.type === 'ellipse') return (dx / a) ** 2 + (dy / b) ** 2 <= 1;
  return Math.abs(dx) <= a && Math.abs(dy) <= b;
}

/**
 * The topmost shape `line` could bind an end to at the board point: the last of `shapes` (paint
 * order) that can hold a binding and whose outline, grown by `margin`, holds the point.
 */
export function bindingTargetAt(
  line: Shape,
  shapes: readonly Shape[],
  point: Point,
  margin = 0,
): Shape | null {
  for (let i = shapes.length - 1; i >= 0; i--) {
    const shape = shapes[i] as Shape;
    if (canBind(line, shape) && outlineContains(shape, point, margin)) return shape;
  }
  return null;
}

/** The centre of a box shape, in board coordinates. */
export function shapeCenter(shape: Shape): Point {
  return localToBoard(shape, { x: shape.width / 2, y: shape.height / 2 });
}

/**
 * Where the ray from `target`'s centre in board direction (dx, dy) leaves its outline, pushed
 * `gap` further out, in board coordinates. A zero direction points right.
 */
export function outlinePoint(target: Shape, dx: number, dy: number, gap = BINDING_GAP): Point {
  let d = rotate({ x: dx, y: dy }, -target.rotation);
  let length = Math.hypot(d.x, d.y);
  if (length < 1e-9) {
    d = { x: 1, y: 0 };
    length = 1;
  }
  const ux = d.x / length;
  const uy = d.y / length;
  const a = target.width / 2;
  const b = target.height / 2;
  // Distance from the centre to the outline along (ux, uy).
  const reach =
    target.type === 'ellipse'
      ? 1 / Math.sqrt((ux / a) ** 2 + (uy / b) ** 2)
      : Math.min(ux === 0 ? Infinity : a / Math.abs(ux), uy === 0 ? Infinity : b / Math.abs(uy));
  const t = reach + gap;
  return localToBoard(target, { x: a + ux * t, y: b + uy * t });
}

/** The stored point at `index` (pairs) of a line, in board coordinates. */
function storedPoint(line: Shape, index: number): Point {
  return localToBoard(line, {
    x: line.points[index * 2] as number,
    y: line.points[index * 2 + 1] as number,
  });
}

/**
 * The board position of each bound end of `line` (a line or arrow with `startId` / `endId`),
 * null for an end that is not bound or whose binding is invalid (it stays at its stored point).
 */
export function resolveLineEnds(line: Shape, lookup: ShapeLookup): ResolvedEnds {
  const count = line.points.length / 2;
  const startTarget = line.startId ? lookup(line.startId) : undefined;
  const endTarget = line.endId ? lookup(line.endId) : undefined;
  const start = canBind(line, startTarget) ? startTarget : null;
  const end = canBind(line, endTarget) ? endTarget : null;
  if ((!start && !end) || count < 2) return { start: null, end: null };
  const first = storedPoint(line, 0);
  const last = storedPoint(line, count - 1);
  const bent = count > 2;
  const place = (target: Shape, own: Point, neighbour: Point, other: Shape | null): Point => {
    const centre = shapeCenter(target);
    let reference = bent ? neighbour : other ? shapeCenter(other) : neighbour;
    if (Math.hypot(reference.x - centre.x, reference.y - centre.y) < 1e-6) reference = own;
    return outlinePoint(target, reference.x - centre.x, reference.y - centre.y);
  };
  return {
    start: start ? place(start, first, storedPoint(line, bent ? 1 : count - 1), end) : null,
    end: end ? place(end, last, storedPoint(line, bent ? count - 2 : 0), start) : null,
  };
}

/** Hundredths are finer than anyone can see, and keep float noise out of stored points. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * `line` as it is drawn: its points with the bound ends placed (local coordinates, rounded to
 * hundredths). The same object when nothing is bound, so unbound shapes cost nothing; shapes
 * of other types are returned unchanged.
 */
export function resolveBoundShape(shape: Shape, lookup: ShapeLookup): Shape {
  if ((shape.type !== 'line' && shape.type !== 'arrow') || (!shape.startId && !shape.endId)) {
    return shape;
  }
  const { start, end } = resolveLineEnds(shape, lookup);
  if (!start && !end) return shape;
  const points = [...shape.points];
  const put = (index: number, board: Point) => {
    const local = boardToLocal(shape, board);
    points[index] = tidy(local.x);
    points[index + 1] = tidy(local.y);
  };
  if (start) put(0, start);
  if (end) put(points.length - 2, end);
  return { ...shape, points };
}

/** The ids of the shapes a line's ends name (bound or not yet resolvable). */
export function bindingTargets(shape: Shape): string[] {
  const ids: string[] = [];
  if (shape.startId) ids.push(shape.startId);
  if (shape.endId && shape.endId !== shape.startId) ids.push(shape.endId);
  return ids;
}

/**
 * Which lines are bound to which shapes: target id → ids of the lines bound to it, kept up to
 * date shape by shape, so a renderer redraws only the lines bound to a shape that changed.
 */
export class BindingIndex {
  private readonly linesByTarget = new Map<string, Set<string>>();
  private readonly targetsByLine = new Map<string, string[]>();

  /** Records `shape`'s bindings (replacing what it had); call for every added or changed shape. */
  set(shape: Shape): void {
    this.delete(shape.id);
    const targets = bindingTargets(shape);
    if (targets.length === 0) return;
    this.targetsByLine.set(shape.id, targets);
    for (const target of targets) {
      let lines = this.linesByTarget.get(target);
      if (!lines) this.linesByTarget.set(target, (lines = new Set()));
      lines.add(shape.id);
    }
  }

  /** Forgets the bindings of the shape `id` (removed). */
  delete(id: string): void {
    const targets = this.targetsByLine.get(id);
    if (!targets) return;
    this.targetsByLine.delete(id);
    for (const target of targets) {
      const lines = this.linesByTarget.get(target);
      lines?.delete(id);
      if (lines?.size === 0) this.linesByTarget.delete(target);
    }
  }

  /** Ids of the lines with an end bound to `targetId`. */
  linesBoundTo(targetId: string): ReadonlySet<string> {
    return this.linesByTarget.get(targetId) ?? new Set();
  }
}
