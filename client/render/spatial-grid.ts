/**
 * A uniform grid over board space: which items' bounds may meet a rectangle, in time that grows
 * with the cells the rectangle covers and the items in them, not with every item on the board.
 * Used by shape-layer.ts to cull (what entered the view) without visiting every shape per frame.
 *
 *   const grid = new SpatialGrid<Entry>();
 *   grid.set(entry, bounds);              // add, or move after its bounds changed
 *   grid.query(viewport, (entry) => …);   // each item whose cells meet it, once (a superset)
 *   grid.delete(entry);
 *
 * Items are kept in every cell their bounds touch; one that would cover more than
 * `MAX_ITEM_CELLS` (a huge frame) is kept in a short list that every query visits instead. A
 * query over more cells than are occupied walks the occupied cells instead (zoomed far out over a
 * sparse board), so neither a huge item nor a huge view costs a cell per unit of area.
 */
import type { Bounds } from '../../common/render/shape-geometry.ts';

/** Board units per cell: a few dozen typical shapes each, a screen at zoom 1 is ~6 × 4 cells. */
export const GRID_CELL_SIZE = 256;
/** Items covering more cells than this are not put in cells (see above). */
export const MAX_ITEM_CELLS = 64;
/** Cell coordinates are offset by this into one number key (board coordinates stay ≤ ~2e6). */
const KEY_OFFSET = 1 << 20;
const KEY_SPAN = 1 << 21;

/** An item and the cells it covers (inclusive); a big one is kept in the list, not in cells. */
interface Placed<T> {
  item: T;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  big: boolean;
}

type Range = Omit<Placed<unknown>, 'item'>;

interface Cell<T> {
  cx: number;
  cy: number;
  /** A cell holds a few dozen items: an array is smaller than a set and as quick. */
  items: Placed<T>[];
}

export class SpatialGrid<T> {
  private readonly cells = new Map<number, Cell<T>>();
  private readonly placed = new Map<T, Placed<T>>();
  private readonly big = new Set<T>();

  constructor(private readonly cellSize = GRID_CELL_SIZE) {}

  get size(): number {
    return this.placed.size;
  }

  /** Adds `item` with `bounds`, or moves it there. */
  set(item: T, bounds: Bounds): void {
    const next = this.range(bounds);
    const current = this.placed.get(item);
    if (current && sameCells(current, next)) return;
    if (current) this.unplace(current);
    const placed: Placed<T> = { item, ...next };
    this.placed.set(item, placed);
    if (placed.big) {
      this.big.add(item);
      return;
    }
    for (let cx = placed.x0; cx <= placed.x1; cx++) {
      for (let cy = placed.y0; cy <= placed.y1; cy++) {
        const key = cellKey(cx, cy);
        let cell = this.cells.get(key);
        if (!cell) {
          cell = { cx, cy, items: [] };
          this.cells.set(key, cell);
        }
        cell.items.push(placed);
      }
    }
  }

  delete(item: T): void {
    const current = this.placed.get(item);
    if (!current) return;
    this.unplace(current);
    this.placed.delete(item);
  }

  /**
   * Calls `visit` once for each item kept in a cell `bounds` touches, and for each big item:
   * every item whose bounds meet `bounds`, and some near it (the caller tests the bounds).
   */
  query(bounds: Bounds, visit: (item: T) => void): void {
    for (const item of this.big) visit(item);
    const q = this.range(bounds);
    // An item in several cells is visited from one: its first cell inside the query.
    const visitCell = (cell: Cell<T>) => {
      for (const p of cell.items) {
        if (cell.cx === Math.max(p.x0, q.x0) && cell.cy === Math.max(p.y0, q.y0)) visit(p.item);
      }
    };
    const area = (q.x1 - q.x0 + 1) * (q.y1 - q.y0 + 1);
    if (area > this.cells.size) {
      for (const cell of this.cells.values()) {
        if (cell.cx >= q.x0 && cell.cx <= q.x1 && cell.cy >= q.y0 && cell.cy <= q.y1)
          visitCell(cell);
      }
      return;
    }
    for (let cx = q.x0; cx <= q.x1; cx++) {
      for (let cy = q.y0; cy <= q.y1; cy++) {
        const cell = this.cells.get(cellKey(cx, cy));
        if (cell) visitCell(cell);
      }
    }
  }

  private range(bounds: Bounds): Range {
    const x0 = clampCell(Math.floor(bounds.x / this.cellSize));
    const y0 = clampCell(Math.floor(bounds.y / this.cellSize));
    const x1 = Math.max(x0, clampCell(Math.floor((bounds.x + bounds.width) / this.cellSize)));
    const y1 = Math.max(y0, clampCell(Math.floor((bounds.y + bounds.height) / this.cellSize)));
    const big = (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_ITEM_CELLS;
    return { x0, y0, x1, y1, big };
  }

  private unplace(placed: Placed<T>): void {
    if (placed.big) {
      this.big.delete(placed.item);
      return;
    }
    for (let cx = placed.x0; cx <= placed.x1; cx++) {
      for (let cy = placed.y0; cy <= placed.y1; cy++) {
        const key = cellKey(cx, cy);
        const cell = this.cells.get(key);
        if (!cell) continue;
        const at = cell.items.indexOf(placed);
        if (at < 0) continue;
        // The last item takes its place (order within a cell does not matter).
        const last = cell.items.pop();
        if (last && at < cell.items.length) cell.items[at] = last;
        if (cell.items.length === 0) this.cells.delete(key);
      }
    }
  }
}

function sameCells(a: Range, b: Range): boolean {
  if (a.big || b.big) return a.big === b.big;
  return a.x0 === b.x0 && a.y0 === b.y0 && a.x1 === b.x1 && a.y1 === b.y1;
}

/** Keeps cell coordinates (and NaN from NaN bounds) inside the key's range. */
function clampCell(c: number): number {
  if (Number.isNaN(c)) return 0;
  return Math.max(-KEY_OFFSET, Math.min(KEY_OFFSET - 1, c));
}

function cellKey(cx: number, cy: number): number {
  return (cx + KEY_OFFSET) * KEY_SPAN + (cy + KEY_OFFSET);
}
