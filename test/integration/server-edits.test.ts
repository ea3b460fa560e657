/**
 * The room API for the server's own edits (`room.applyServerEdit`) and room subscribers: an edit
 * is committed before any peer or subscriber sees it, then relayed like a peer's update; a failed
 * commit or an edit that throws leaves the board untouched and the next edit works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as Y from 'yjs';
import { addShapes, getShapesMap, readShapes } from '../../common/board/board-doc.ts';
import { newRandomId } from '../../common/board/ids.ts';
import { RoomWriteError } from '../../server/room/commit-queue.ts';
import type { Room } from '../../server/room/room.ts';
import type { ShapesChange } from '../../server/room/room-events.ts';
import type { BoardStore } from '../../server/storage/board-store.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** The store's appends, observable: a test can fail them or see when each one finished. */
interface AppendProbe {
  failNext: boolean;
  committed: number;
}

function probed(store: BoardStore, probe: AppendProbe): BoardStore {
  return {
    ...store,
    async appendUpdates(editId, updates) {
      if (probe.failNext) {
        probe.failNext = false;
        throw new Error('injected storage failure');
      }
      await new Promise((resolve) => setTimeout(resolve, 30)); // a slow disk
      await store.appendUpdates(editId, updates);
      probe.committed++;
    },
  };
}

let server: TestServer;
const probe: AppendProbe = { failNext: false, committed: 0 };
const clients: StockClient[] = [];

before(async () => {
  server = await startTestServer({ wrapStore: (store) => probed(store, probe) });
});
after(async () => {
  for (const client of clients) client.destroy();
  await server.close();
});

async function openRoom(id: string): Promise<{ room: Room; release(): void }> {
  const { registry } = server.server.context;
  const access = await registry.resolve(id, true);
  assert.ok(access);
  const lease = await registry.acquire(access.board);
  return { room: lease.room, release: lease.release };
}

function client(id: string): StockClient {
  const stock = connectStockClient(server.wsUrl, id);
  clients.push(stock);
  return stock;
}

describe('room.applyServerEdit', () => {
  it('commits the edit before a peer or a subscriber sees it, then relays it to every peer', async () => {
    const id = newRandomId();
    const { room, release } = await openRoom(id);
    const peer = client(id);
    await peer.synced;
    const changes: Array<ShapesChange & { committed: number }> = [];
    room.subscribe({
      shapesChanged: (change) => changes.push({ ...change, committed: probe.committed }),
    });
    let committedWhenSeen = -1;
    getShapesMap(peer.doc).observe(() => (committedWhenSeen = probe.committed));
    const before = probe.committed;
    const result = await room.applyServerEdit(
      (doc) => addShapes(doc, [rect('from-server', 5, 6)]),
      'test-origin',
    );
    assert.deepEqual(result, { changed: true });
    await waitFor(() => getShapesMap(peer.doc).has('from-server'), 2_000, 'the relayed edit');
    assert.equal(committedWhenSeen, before + 1, 'the peer saw the edit before it was committed');
    assert.equal(changes.length, 1);
    assert.deepEqual([...(changes[0]?.ids ?? [])], ['from-server']);
    assert.equal(changes[0]?.source, 'server');
    assert.equal(changes[0]?.origin, 'test-origin');
    assert.equal(changes[0]?.committed, before + 1, 'a subscriber saw the edit before its commit');
    assert.deepEqual(
      room.readShapes().map((shape) => shape.id),
      ['from-server'],
    );
    release();
  });

  it('resolves with changed: false for an edit that changes nothing, and stores nothing', async () => {
    const { room, release } = await openRoom(newRandomId());
    const before = probe.committed;
    assert.deepEqual(await room.applyServerEdit(() => {}), { changed: false });
    assert.equal(probe.committed, before);
    release();
  });

  it('rejects when storage refuses the edit, shows it to nobody, and applies a later edit whole', async () => {
    const id = newRandomId();
    const { room, release } = await openRoom(id);
    const peer = client(id);
    await peer.synced;
    probe.failNext = true;
    await assert.rejects(
      room.applyServerEdit((doc) => addShapes(doc, [rect('lost')])),
      (error: unknown) => error instanceof RoomWriteError && error.reason === 'storage',
    );
    assert.equal(room.readShape('lost'), null);
    // Writes pause for a while after a storage failure (STORAGE_RETRY_MS); wait it out.
    await waitFor(
      async () =>
        room
          .applyServerEdit((doc) => addShapes(doc, [rect('kept')]))
          .then(() => true)
          .catch(() => false),
      8_000,
      'storage to be tried again',
    );
    await waitFor(() => getShapesMap(peer.doc).has('kept'), 2_000, 'the later edit');
    assert.equal(getShapesMap(peer.doc).has('lost'), false);
    assert.deepEqual(
      readShapes(peer.doc).map((shape) => shape.id),
      ['kept'],
    );
    release();
  });

  it('rejects with the error of an edit that throws halfway, and applies none of it', async () => {
    const id = newRandomId();
    const { room, release } = await openRoom(id);
    await assert.rejects(
      room.applyServerEdit((doc) => {
        addShapes(doc, [rect('half')]);
        throw new Error('edit failed');
      }),
      /edit failed/,
    );
    await room.applyServerEdit((doc) => addShapes(doc, [rect('whole')]));
    assert.deepEqual(
      room.readShapes().map((shape) => shape.id),
      ['whole'],
    );
    const late = client(id);
    await late.synced;
    assert.deepEqual([...getShapesMap(late.doc).keys()], ['whole']);
    release();
  });

  it('builds each edit on the board as peers left it, and its result survives a restart', async () => {
    const id = newRandomId();
    const peer = client(id);
    await peer.synced;
    addShapes(peer.doc, [rect('by-peer', 1, 1)]);
    const { room, release } = await openRoom(id);
    await waitFor(() => room.readShape('by-peer') !== null, 2_000, 'the peer update');
    await room.applyServerEdit((doc) => {
      const shape = getShapesMap(doc).get('by-peer') as Y.Map<unknown>;
      shape.set('x', 42);
    });
    await waitFor(() => readShapes(peer.doc)[0]?.x === 42, 2_000, 'the peer to see x = 42');
    release();
    peer.provider.disconnect();
    await server.restart();
    const late = client(id);
    await late.synced;
    assert.equal(readShapes(late.doc)[0]?.x, 42);
  });
});
