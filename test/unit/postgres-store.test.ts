import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BoardGoneError } from '../../server/storage/board-store.ts';
import { openPostgresStore, type PostgresStore } from '../../server/storage/postgres-store.ts';
import {
  createTestDatabase,
  servicesUnavailable,
  servicesRequired,
  type TestDatabase,
} from '../helpers/services.ts';
import { shapeIds, shapeUpdate, storeContract } from '../helpers/store-contract.ts';

const unavailable = await servicesUnavailable(false);
if (unavailable) console.log(`postgres-store.test.ts ${unavailable}`);

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
    /** A board of its own for a test, by name. */
    const boardIn = async (store: PostgresStore, name: string) => {
      const board = await store.ensureBoard(name);
      assert.ok(board);
      return board;
    };
    const sql = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query<T>(text, values)).rows;
      } finally {
        await client.end();
      }
    };
    const tables = async () => {
      const rows = await sql<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() ORDER BY table_name`,
      );
      const found = new Map<string, string[]>();
      for (const row of rows)
        found.set(row.table_name, [...(found.get(row.table_name) ?? []), row.column_name]);
      return found;
    };

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      database = await createTestDatabase();
    });
    after(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await database?.drop();
    });

    it('creates its tables from several instances at once', async () => {
      const opened = await Promise.all([open(), open(), open()]);
      assert.equal(opened.length, 3);
    });

    storeContract({
      open,
      tables,
      async rowsMentioning(values) {
        const found: string[] = [];
        for (const [table, columns] of await tables())
          for (const column of columns) {
            const rows = await sql(
              `SELECT 1 FROM "${table}" WHERE "${column}"::text = ANY($1::text[])`,
              [values],
            );
            for (let i = 0; i < rows.length; i++) found.push(`${table}.${column}`);
          }
        return found;
      },
      async addBoardTable(name, key) {
        await sql(
          `CREATE TABLE IF NOT EXISTS "boardcast_${name}" (board TEXT NOT NULL, value TEXT)`,
        );
        await sql(`INSERT INTO "boardcast_${name}" (board, value) VALUES ($1, 'x')`, [key]);
      },
    });

    it('creates a board once when two instances create it at the same moment', async () => {
      const [first, second] = [await open(), await open()];
      const [a, b] = await Promise.all([
        first.ensureBoard('team-retro'),
        second.ensureBoard('team-retro'),
      ]);
      assert.ok(a);
      assert.deepEqual(a, b);
      assert.deepEqual(await first.findBoard(a.viewId), { board: a, role: 'view' });
    });

    it('loads committed updates in commit order, and only the board asked for', async () => {
      const store = await open();
      const [ordered, elsewhere, empty] = [
        await boardIn(store, 'ordered'),
        await boardIn(store, 'elsewhere'),
        await boardIn(store, 'empty'),
      ];
      const updates = ['a', 'b', 'c'].map(shapeUpdate);
      await store.appendUpdates(ordered.key, updates.slice(0, 2));
      await store.appendUpdates(ordered.key, updates.slice(2));
      await store.appendUpdates(elsewhere.key, [shapeUpdate('x')]);
      const log = await store.loadLog(ordered.key);
      assert.deepEqual(
        log.updates.map((update) => Buffer.from(update).toString('hex')),
        updates.map((update) => Buffer.from(update).toString('hex')),
      );
      assert.equal(
        log.bytes,
        updates.reduce((sum, update) => sum + update.byteLength, 0),
      );
      assert.deepEqual((await store.loadLog(empty.key)).updates, []);
    });

    it('compacts a log into one row that holds the same board', async () => {
      const store = await open();
      const { key } = await boardIn(store, 'compact');
      await store.appendUpdates(key, ['a', 'b', 'c', 'd'].map(shapeUpdate));
      await store.replaceLog(key, new Uint8Array([0, 0]));
      const log = await store.loadLog(key);
      assert.equal(log.updates.length, 1);
      assert.deepEqual(shapeIds(log.updates), ['a', 'b', 'c', 'd']);
    });

    it('never loses a row appended by another instance while it compacts', async () => {
      const [writerA, writerB, compactor] = [await open(), await open(), await open()];
      const { key } = await boardIn(compactor, 'contended');
      const ids: string[] = [];
      const appends: Promise<void>[] = [];
      const compactions: Promise<void>[] = [];
      for (let i = 0; i < 120; i++) {
        const id = `s${i}`;
        ids.push(id);
        appends.push((i % 2 ? writerA : writerB).appendUpdates(key, [shapeUpdate(id)]));
        if (i % 10 === 5)
          compactions.push(
            compactor.replaceLog(key, new Uint8Array([0, 0])),
            writerA.replaceLog(key, new Uint8Array([0, 0])),
          );
      }
      await Promise.all([...appends, ...compactions]);
      const log = await compactor.loadLog(key);
      assert.deepEqual(shapeIds(log.updates), ids.sort());
      assert.ok(log.updates.length < 120, `compaction merged rows (${log.updates.length} left)`);
    });

    it('leaves no row behind when a delete races appends and compactions from other instances', async () => {
      const [writerA, writerB, deleter] = [await open(), await open(), await open()];
      const board = await boardIn(deleter, 'deleted-while-written');
      const appends: Array<Promise<'stored' | 'gone'>> = [];
      const compactions: Promise<void>[] = [];
      for (let i = 0; i < 60; i++) {
        appends.push(
          (i % 2 ? writerA : writerB).appendUpdates(board.key, [shapeUpdate(`d${i}`)]).then(
            () => 'stored' as const,
            (error: unknown) => {
              assert.ok(error instanceof BoardGoneError, String(error));
              return 'gone' as const;
            },
          ),
        );
        if (i % 10 === 3) compactions.push(writerA.replaceLog(board.key, new Uint8Array([0, 0])));
      }
      const deleted = deleter.deleteBoard(board.key);
      const outcomes = await Promise.all(appends);
      await Promise.all([deleted, ...compactions]);
      assert.equal(await deleted, true);
      const left = await sql('SELECT 1 FROM boardcast_updates WHERE board = $1', [board.key]);
      assert.equal(left.length, 0, `rows left after the delete (${outcomes.join(' ')})`);
      await assert.rejects(writerA.appendUpdates(board.key, [shapeUpdate('late')]), BoardGoneError);
    });

    it('gives a board exactly one edit id however many instances reset it at once', async () => {
      const stores = [await open(), await open(), await open()];
      const board = await boardIn(stores[0] as PostgresStore, 'reset-race');
      const results = await Promise.all(
        stores.flatMap((store) => [
          store.rotateId(board.key, 'edit'),
          store.rotateId(board.key, 'edit'),
        ]),
      );
      const live = await sql<{ id: string }>(
        "SELECT id FROM boardcast_board_ids WHERE board = $1 AND role = 'edit'",
        [board.key],
      );
      assert.equal(live.length, 1);
      assert.equal(live[0]?.id, (await stores[0]?.boardByKey(board.key))?.editId);
      assert.equal(
        new Set(results.map((result) => result?.editId)).size,
        6,
        'each reset gave a new id',
      );
      const retired = await sql(
        "SELECT 1 FROM boardcast_board_ids WHERE board = $1 AND role = 'retired'",
        [board.key],
      );
      assert.equal(retired.length, 6);
    });

    it('never makes a new board under a name being reset by another instance', async () => {
      const [resetter, creator] = [await open(), await open()];
      for (let round = 0; round < 10; round++) {
        const board = await boardIn(resetter, `renamed-${round}`);
        const [, created] = await Promise.all([
          resetter.rotateId(board.key, 'edit'),
          creator.ensureBoard(board.editId),
        ]);
        // Either the creator saw the board before the reset (and got it), or the tombstone.
        if (created) assert.equal(created.key, board.key);
        assert.equal(await creator.findBoard(board.editId), null);
        assert.equal(await creator.isRetired(board.editId), true);
      }
    });

    it('migrates tables of the first schema: ids move, each board keeps its log', async () => {
      await sql(`
        CREATE SCHEMA legacy;
        CREATE TABLE legacy.boardcast_boards (edit_id TEXT PRIMARY KEY, view_id TEXT NOT NULL UNIQUE,
          created_at TIMESTAMPTZ NOT NULL DEFAULT now());
        CREATE TABLE legacy.boardcast_updates (seq BIGSERIAL PRIMARY KEY, board TEXT NOT NULL, data BYTEA NOT NULL);
        INSERT INTO legacy.boardcast_boards (edit_id, view_id) VALUES ('old-board', 'old-view');`);
      await sql('INSERT INTO legacy.boardcast_updates (board, data) VALUES ($1, $2)', [
        'old-board',
        Buffer.from(shapeUpdate('legacy')),
      ]);
      const url = new URL(database.url);
      url.searchParams.set('options', '-c search_path=legacy');
      const legacy = await openPostgresStore({ connectionString: url.href, poolSize: 2 });
      stores.push(legacy);
      assert.deepEqual(await legacy.findBoard('old-view'), {
        board: { key: 'old-board', editId: 'old-board', viewId: 'old-view' },
        role: 'view',
      });
      assert.deepEqual(shapeIds((await legacy.loadLog('old-board')).updates), ['legacy']);
      await legacy.appendUpdates('old-board', [shapeUpdate('new')]);
      assert.deepEqual(shapeIds((await legacy.loadLog('old-board')).updates), ['legacy', 'new']);
    });

    it('rejects an append when the database is gone, committing nothing', async () => {
      const store = await openPostgresStore({ connectionString: database.url, poolSize: 1 });
      const { key } = await boardIn(store, 'closed');
      await store.close();
      await assert.rejects(store.appendUpdates(key, [shapeUpdate('never')]));
      assert.deepEqual((await (await open()).loadLog(key)).updates, []);
    });
  },
);
