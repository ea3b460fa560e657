/**
 * Scale-out gaps (room-registry.ts): an update from another instance that leaves the board
 * waiting for something makes the room re-read its log once. What storage cannot resolve
 * either never makes it read again (before, every later update re-read the whole log, once a
 * second, for as long as the board was loaded), and a real gap is still closed from storage.
 * The replicator here is an in-memory stand-in for Redis; store and registry are the real ones.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, readShape } from '../../common/board/board-doc.ts';
import { createLogger } from '../../server/log.ts';
import { createMetrics } from '../../server/metrics.ts';
import { RoomRegistry } from '../../server/room/room-registry.ts';
import type { ReplicaHandlers, RoomReplicator } from '../../server/room/room-replicator.ts';
import type { BoardStore } from '../../server/storage/board-store.ts';
import { openSqliteStore } from '../../server/storage/sqlite-store.ts';
import { delay, waitFor } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { tempDataDir } from '../helpers/test-server.ts';

/** A delete of clocks 0–999 of client 424242, which nobody has: Yjs keeps it pending forever. */
const FORGED_DELETE = new Uint8Array([0, 1, 0xb2, 0xf1, 0x19, 1, 0, 0xe8, 0x07]);

function memoryReplicator(): RoomReplicator & { handlers: Map<string, ReplicaHandlers> } {
  const handlers = new Map<string, ReplicaHandlers>();
  return {
    handlers,
    subscribe: async (editId, board) => void handlers.set(editId, board),
    unsubscribe: (editId) => void handlers.delete(editId),
    publishUpdate: () => undefined,
    publishPresence: () => undefined,
    queryPresence: () => undefined,
    announceChange: () => undefined,
  };
}

function countingLoads(store: BoardStore): BoardStore & { loads: number } {
  const counted = Object.assign(Object.create(null) as object, store, {
    loads: 0,
    async loadLog(key: string) {
      counted.loads++;
      return store.loadLog(key);
    },
  });
  return counted;
}

const store = countingLoads(openSqliteStore(tempDataDir()));
const replicator = memoryReplicator();
const registry = new RoomRegistry({
  store,
  log: createLogger('silent'),
  metrics: createMetrics(),
  graceMs: 60_000,
  compactAfterUpdates: 1_000,
  compactAfterBytes: 4 * 1_048_576,
  replicator,
});
after(async () => {
  await registry.unloadAll();
  await store.close();
});

describe('gaps in what other instances send', () => {
  it('re-reads the log once for what storage cannot resolve, never again for it, and still closes a real gap', async () => {
    const board = await store.ensureBoard('gaps');
    assert.ok(board);
    const lease = await registry.acquire(board);
    const deliver = (update: Uint8Array) => replicator.handlers.get(board.key)?.update(update);
    assert.equal(store.loads, 1, 'the load');

    deliver(FORGED_DELETE);
    await waitFor(() => store.loads === 2, 2_000, 'one resync');
    const remote = new Y.Doc();
    for (let i = 0; i < 8; i++) {
      const updates: Uint8Array[] = [];
      remote.once('update', (update: Uint8Array) => updates.push(update));
      addShapes(remote, [rect(`remote-${i}`)]);
      deliver(updates[0] as Uint8Array);
      await delay(200); // spread over more than a second: the old throttle allowed one a second
    }
    assert.ok(readShape(lease.room.doc, 'remote-7'), 'the remote updates applied');
    assert.equal(store.loads, 2, 'the unresolvable delete made the room re-read its log again');

    // A real gap: instance B committed `first` but its message was lost; `second` needs it.
    const other = new Y.Doc();
    const first: Uint8Array[] = [];
    other.once('update', (update: Uint8Array) => first.push(update));
    addShapes(other, [rect('first')]);
    await store.appendUpdates(board.key, first);
    const second: Uint8Array[] = [];
    other.once('update', (update: Uint8Array) => second.push(update));
    (other.getMap('shapes').get('first') as Y.Map<unknown>).set('x', 77);
    deliver(second[0] as Uint8Array);
    await waitFor(() => readShape(lease.room.doc, 'first')?.x === 77, 2_000, 'the gap closed');
    assert.equal(store.loads, 3);
    lease.release();
  });
});
