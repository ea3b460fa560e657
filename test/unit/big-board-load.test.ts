/**
 * Loading a big board is linear in its shapes (issue 14: nothing in the server may be quadratic
 * in shape count): a board four times bigger takes about four times as long to read from
 * storage, apply and check for repairs, far from the sixteen a quadratic step would take. The
 * bound is generous (timings on a shared machine); what it catches is a per-shape pass over
 * every shape. Store and registry are the real ones; the phases are the ones /metrics reports.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, readShape } from '../../common/board/board-doc.ts';
import { createLogger } from '../../server/log.ts';
import { createMetrics } from '../../server/metrics.ts';
import { RoomRegistry } from '../../server/room/room-registry.ts';
import { openSqliteStore } from '../../server/storage/sqlite-store.ts';
import { rect } from '../helpers/shapes.ts';
import { tempDataDir } from '../helpers/test-server.ts';

const SMALL = 5_000;
const FACTOR = 4;
/** Linear gives about FACTOR; quadratic FACTOR². Generous for a shared machine. */
const MAX_GROWTH = FACTOR * 2.5;

const store = openSqliteStore(tempDataDir());
const metrics = createMetrics();
const registry = new RoomRegistry({
  store,
  log: createLogger('silent'),
  metrics,
  graceMs: 0, // released boards unload, so every load starts from the same heap
  compactAfterUpdates: 1_000,
  compactAfterBytes: 4 * 1_048_576,
});
after(async () => {
  await registry.unloadAll();
  await store.close();
});

function boardState(shapes: number, bad: string): Uint8Array {
  const doc = new Y.Doc();
  addShapes(
    doc,
    Array.from({ length: shapes }, (_, i) => rect(`s${i}`, i % 100, Math.floor(i / 100))),
  );
  // One shape with a bad value, stored as if its repair never ran (the instance died first).
  addShapes(doc, [rect(bad, 0, 0, { fontSize: 1e9 })]);
  return Y.encodeStateAsUpdate(doc);
}

/** Best of two loads of a stored board of `shapes` shapes, in ms; checks its repair at load. */
async function loadMs(shapes: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  const state = boardState(shapes, 'bad');
  for (let round = 0; round < 2; round++) {
    const board = await store.createBoard(null, state, []);
    assert.ok(board);
    const started = performance.now();
    const lease = await registry.acquire(board);
    best = Math.min(best, performance.now() - started);
    assert.ok(lease.room.readShape(`s${shapes - 1}`));
    await waitForRepair(lease.room.doc);
    lease.release();
  }
  return best;
}

async function waitForRepair(doc: Y.Doc): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((readShape(doc, 'bad')?.fontSize ?? 1e9) > 1_000) {
    assert.ok(Date.now() < deadline, 'the bad shape stored before the load was repaired at load');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('loading a big board', () => {
  it('is linear in its shapes, and still checks every one of them', async () => {
    await loadMs(500); // warm up the code paths
    const small = await loadMs(SMALL);
    const big = await loadMs(SMALL * FACTOR);
    assert.ok(
      big < small * MAX_GROWTH,
      `${SMALL * FACTOR} shapes took ${big.toFixed(0)} ms, ${SMALL} took ${small.toFixed(0)} ms: more than ${MAX_GROWTH}× for ${FACTOR}× the shapes`,
    );
  });

  it('reports how long each load phase took', async () => {
    const text = await metrics.registry.metrics();
    for (const phase of ['read', 'apply', 'trim', 'check'])
      assert.match(
        text,
        new RegExp(`boardcast_board_load_seconds_count\\{phase="${phase}"\\} [1-9]`),
      );
  });
});
