import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { openPostgresStore, type PostgresStore } from '../../server/storage/postgres-store.ts';
import {
  createTestDatabase,
  claimServices,
  servicesRequired,
  type TestDatabase,
} from '../helpers/services.ts';
import { rect } from '../helpers/shapes.ts';

const services = await claimServices(false);
const unavailable = services.unavailable;
if (unavailable) console.log(`postgres-store.test.ts ${unavailable}`);

/** One update that adds shape `id`, made on its own doc (so updates are independent). */
function shapeUpdate(id: string): Uint8Array {
  const doc = new Y.Doc();
  addShapes(doc, [rect(id)]);
  return Y.encodeStateAsUpdate(doc);
}

function shapeIds(updates: readonly Uint8Array[]): string[] {
  const doc = new Y.Doc();
  updates.forEach((update) => Y.applyUpdate(doc, update));
  return readShapes(doc)
    .map((shape) => shape.id)
    .sort();
}

describe(
  'the PostgreSQL store',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let database: TestDatabase;
    const stores: PostgresStore[] = [];
    const open = async () => {
      const store = await openPostgresStore({ connectionString: database.url, poolSize: 4 });
      stores.push(store);
      return store;
    };

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      database = await createTestDatabase();
    });
    after(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await database?.drop();
      services.release();
    });

    it('creates its tables from several instances at once', async () => {
      const opened = await Promise.all([open(), open(), open()]);
      assert.equal(opened.length, 3);
    });

    it('creates a board once, with a view id that finds it read-only', async () => {
      const [first, second] = [await open(), await open()];
      const [a, b] = await Promise.all([
        first.ensureBoard('team-retro'),
        second.ensureBoard('team-retro'),
      ]);
      assert.deepEqual(a, b);
      assert.notEqual(a.viewId, a.editId);
      assert.deepEqual(await second.findBoard('team-retro'), { board: a, role: 'edit' });
      assert.deepEqual(await first.findBoard(a.viewId), { board: a, role: 'view' });
      assert.equal(await first.findBoard('no-such-board'), null);
    });

    it('loads committed updates in commit order, and only the board asked for', async () => {
      const store = await open();
      const updates = ['a', 'b', 'c'].map(shapeUpdate);
      await store.appendUpdates('ordered', updates.slice(0, 2));
      await store.appendUpdates('ordered', updates.slice(2));
      await store.appendUpdates('elsewhere', [shapeUpdate('x')]);
      const log = await store.loadLog('ordered');
      assert.deepEqual(
        log.updates.map((update) => Buffer.from(update).toString('hex')),
        updates.map((update) => Buffer.from(update).toString('hex')),
      );
      assert.equal(
        log.bytes,
        updates.reduce((sum, update) => sum + update.byteLength, 0),
      );
      assert.deepEqual((await store.loadLog('empty')).updates, []);
    });

    it('compacts a log into one row that holds the same board', async () => {
      const store = await open();
      await store.appendUpdates('compact', ['a', 'b', 'c', 'd'].map(shapeUpdate));
      await store.replaceLog('compact', new Uint8Array([0, 0]));
      const log = await store.loadLog('compact');
      assert.equal(log.updates.length, 1);
      assert.deepEqual(shapeIds(log.updates), ['a', 'b', 'c', 'd']);
    });

    it('never loses a row appended by another instance while it compacts', async () => {
      const [writerA, writerB, compactor] = [await open(), await open(), await open()];
      const ids: string[] = [];
      const appends: Promise<void>[] = [];
      const compactions: Promise<void>[] = [];
      for (let i = 0; i < 120; i++) {
        const id = `s${i}`;
        ids.push(id);
        appends.push((i % 2 ? writerA : writerB).appendUpdates('contended', [shapeUpdate(id)]));
        if (i % 10 === 5)
          compactions.push(
            compactor.replaceLog('contended', new Uint8Array([0, 0])),
            writerA.replaceLog('contended', new Uint8Array([0, 0])),
          );
      }
      await Promise.all([...appends, ...compactions]);
      const log = await compactor.loadLog('contended');
      assert.deepEqual(shapeIds(log.updates), ids.sort());
      assert.ok(log.updates.length < 120, `compaction merged rows (${log.updates.length} left)`);
    });

    it('rejects an append when the database is gone, committing nothing', async () => {
      const store = await openPostgresStore({ connectionString: database.url, poolSize: 1 });
      await store.close();
      await assert.rejects(store.appendUpdates('closed', [shapeUpdate('never')]));
      assert.deepEqual((await (await open()).loadLog('closed')).updates, []);
    });
  },
);
