/**
 * Snapping maths (pure: no DOM, no Konva), for moving and resizing. A moved box snaps its left
 * edge, centre or right edge to any other box's left edge, centre or right edge when they are
 * within `threshold` board units (the editor passes a few screen pixels divided by the zoom),
 * and likewise top, middle and bottom; each axis on its own, the nearest line wins. Guides say
 * where to draw the lines that show what snapped: along the shared line, from the moved box to
 * every box that shares it.
 *
 *   snapBox({ x: 103, y: 0, width: 50, height: 50 }, [{ x: 0, y: 0, width: 100, height: 80 }], 5)
 *     → { dx: -3, dy: 0, guides: [x = 100 from y 0 to 80, y = 0 …] }
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A guide line: `axis: 'x'` is a vertical line at x = `at` from y = `from` to y = `to`. */
export interface SnapGuide {
  axis: 'x' | 'y';
  at: number;
  from: number;
  to: number;
}

export interface SnapResult {
  dx: number;
  dy: number;
  guides: SnapGuide[];
}

/** Lines closer than this (board units) count as the same line when drawing guides. */
const SAME_LINE = 1e-6;

const X_LINES = (b: Box) => [b.x, b.x + b.width / 2, b.x + b.width];
const Y_LINES = (b: Box) => [b.y, b.y + b.height / 2, b.y + b.height];

/**
 * The smallest shift (within `threshold`) that puts one of `own` on one of the targets' lines,
 * or 0 when none is near enough.
 */
function nearestShift(own: readonly number[], targetLines: readonly number[], threshold: number) {
  let best = 0;
  let bestDistance = Infinity;
  for (const line of targetLines) {
    for (const value of own) {
      const distance = Math.abs(line - value);
      if (distance <= threshold && distance < bestDistance) {
        best = line - value;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/** Guides along every line that `own` shares with a target box, spanning both. */
function guidesFor(
  axis: 'x' | 'y',
  own: Box,
  ownLines: readonly number[],
  targets: readonly Box[],
) {
  const lines = axis === 'x' ? X_LINES : Y_LINES;
  const start = (b: Box) => (axis === 'x' ? b.y : b.x);
  const end = (b: Box) => (axis === 'x' ? b.y + b.height : b.x + b.width);
  const guides = new Map<number, SnapGuide>();
  for (const target of targets) {
    for (const at of lines(target)) {
      if (!ownLines.some((value) => Math.abs(value - at) < SAME_LINE)) continue;
      const guide = guides.get(at) ?? { axis, at, from: start(own), to: end(own) };
      guide.from = Math.min(guide.from, start(target));
      guide.to = Math.max(guide.to, end(target));
      guides.set(at, guide);
    }
  }
  return [...guides.values()];
}

/** Where `box` should go to snap to `targets`, as a shift, with the guides to draw there. */
export function snapBox(box: Box, targets: readonly Box[], threshold: number): SnapResult {
  const dx = nearestShift(X_LINES(box), targets.flatMap(X_LINES), threshold);
  const dy = nearestShift(Y_LINES(box), targets.flatMap(Y_LINES), threshold);
  const moved = { ...box, x: box.x + dx, y: box.y + dy };
  const guides = [
    ...(dx !== 0 || hasLineOn(X_LINES(moved), targets, X_LINES)
      ? guidesFor('x', moved, X_LINES(moved), targets)
      : []),
    ...(dy !== 0 || hasLineOn(Y_LINES(moved), targets, Y_LINES)
      ? guidesFor('y', moved, Y_LINES(moved), targets)
      : []),
  ];
  return { dx, dy, guides };
}

function hasLineOn(own: number[], targets: readonly Box[], lines: (b: Box) => number[]) {
  return targets.some((t) => lines(t).some((at) => own.some((v) => Math.abs(v - at) < SAME_LINE)));
}

/**
 * Snapping of one point (a resize handle being dragged): x snaps to the nearest vertical line
 * of a target (an edge or the centre) within `threshold`, y to the nearest horizontal one.
 * `axes` limits it to the coordinates the handle moves (a side handle moves only one).
 */
export function snapPoint(
  point: { x: number; y: number },
  targets: readonly Box[],
  threshold: number,
  axes: { x: boolean; y: boolean } = { x: true, y: true },
): { x: number; y: number; guides: SnapGuide[] } {
  const dx = axes.x ? nearestShift([point.x], targets.flatMap(X_LINES), threshold) : 0;
  const dy = axes.y ? nearestShift([point.y], targets.flatMap(Y_LINES), threshold) : 0;
  const x = point.x + dx;
  const y = point.y + dy;
  const dot = { x, y, width: 0, height: 0 };
  const guides = [
    ...(axes.x && dx !== 0 ? guidesFor('x', dot, [x], targets) : []),
    ...(axes.y && dy !== 0 ? guidesFor('y', dot, [y], targets) : []),
  ];
  return { x, y, guides };
}

/** Targets worth snapping to: boxes within `reach` of `box` (others are off in the distance). */
export function nearbyBoxes(box: Box, candidates: readonly Box[], reach: number): Box[] {
  return candidates.filter(
    (c) =>
      c.x <= box.x + box.width + reach &&
      box.x - reach <= c.x + c.width &&
      c.y <= box.y + box.height + reach &&
      box.y - reach <= c.y + c.height,
  );
}
