/**
 * The spatial grid (client/render/spatial-grid.ts) that culling asks what entered the view: a
 * query visits every item whose bounds meet the rectangle, each once, through moves, deletions,
 * huge items and huge queries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ITEM_CELLS, SpatialGrid } from '../../client/render/spatial-grid.ts';
import { boundsIntersect, type Bounds } from '../../common/render/shape-geometry.ts';

const coordinate = fc.integer({ min: -5_000, max: 5_000 });
const size = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 40_000 }));
const bounds = fc.record({ x: coordinate, y: coordinate, width: size, height: size });

function visited(grid: SpatialGrid<number>, query: Bounds): number[] {
  const seen: number[] = [];
  grid.query(query, (item) => seen.push(item));
  return seen;
}

describe('SpatialGrid', () => {
  it('visits each item meeting the query exactly once, after moves and deletions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bounds, bounds, fc.boolean()), { maxLength: 60 }),
        fc.array(bounds, { minLength: 1, maxLength: 5 }),
        (items, queries) => {
          const grid = new SpatialGrid<number>(100);
          const kept = new Map<number, Bounds>();
          items.forEach(([first], id) => grid.set(id, first));
          items.forEach(([, moved, deleted], id) => {
            if (deleted) grid.delete(id);
            else {
              grid.set(id, moved);
              kept.set(id, moved);
            }
          });
          assert.equal(grid.size, kept.size);
          for (const query of queries) {
            const seen = visited(grid, query);
            assert.equal(new Set(seen).size, seen.length, 'an item visited twice');
            for (const [id, b] of kept) {
              if (boundsIntersect(b, query)) assert.ok(seen.includes(id), `item ${id} missed`);
            }
            for (const id of seen) assert.ok(kept.has(id), `deleted item ${id} visited`);
          }
        },
      ),
    );
  });

  it('keeps a huge item out of the cells and a huge query to the occupied cells', () => {
    const grid = new SpatialGrid<string>(10);
    grid.set('huge', { x: -1e6, y: -1e6, width: 2e6, height: 2e6 });
    grid.set('small', { x: 5, y: 5, width: 1, height: 1 });
    grid.set('far', { x: 900_000, y: 900_000, width: 5, height: 5 });
    const side = Math.sqrt(MAX_ITEM_CELLS) * 10;
    grid.set('edge', { x: 0, y: 0, width: side - 1, height: side - 1 }); // 8 × 8 cells: the most kept in cells
    const all = (q: Bounds) => {
      const seen: string[] = [];
      grid.query(q, (item) => seen.push(item));
      return seen.sort();
    };
    assert.deepEqual(all({ x: 0, y: 0, width: 20, height: 20 }), ['edge', 'huge', 'small']);
    // Two million cells wide: answered from the four occupied ones, not cell by cell.
    const started = performance.now();
    assert.deepEqual(all({ x: -1e7, y: -1e7, width: 2e7, height: 2e7 }), [
      'edge',
      'far',
      'huge',
      'small',
    ]);
    assert.ok(performance.now() - started < 50);
    grid.delete('huge');
    assert.deepEqual(all({ x: 500, y: 500, width: 10, height: 10 }), []);
  });
});
