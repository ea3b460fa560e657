import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { BoardStore } from '../../server/storage/board-store.ts';
import type { Checkpoint } from '../../server/storage/sqlite-checkpointer.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../server/storage/sqlite-store.ts';
import { shapeIds, shapeUpdate, storeContract } from '../helpers/store-contract.ts';
import { tempDataDir } from '../helpers/test-server.ts';

const stores: BoardStore[] = [];
after(async () => {
  await Promise.all(stores.map((store) => store.close()));
});

function openIn(dataDir: string): BoardStore {
  const store = openSqliteStore(dataDir);
  stores.push(store);
  return store;
}

describe('the SQLite store', () => {
  const dataDir = tempDataDir();
  const raw = () => new Database(path.join(dataDir, SQLITE_FILE_NAME));
  const tables = () => {
    const db = raw();
    try {
      const names = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => row.name);
      return new Map(
        names.map((name) => [
          name,
          db
            .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
            .all(name)
            .map((column) => column.name),
        ]),
      );
    } finally {
      db.close();
    }
  };

  storeContract({
    open: async () => openIn(dataDir),
    tables: async () => tables(),
    async rowsMentioning(values) {
      const db = raw();
      try {
        const found: string[] = [];
        for (const [table, columns] of tables())
          for (const column of columns) {
            const placeholders = values.map(() => '?').join(', ');
            const rows = db
              .prepare(`SELECT 1 FROM "${table}" WHERE "${column}" IN (${placeholders})`)
              .all(...values);
            for (let i = 0; i < rows.length; i++) found.push(`${table}.${column}`);
          }
        return found;
      } finally {
        db.close();
      }
    },
    async addBoardTable(name, key) {
      const db = raw();
      try {
        db.exec(`CREATE TABLE IF NOT EXISTS "${name}" (board TEXT NOT NULL, value TEXT)`);
        db.prepare(`INSERT INTO "${name}" (board, value) VALUES (?, 'x')`).run(key);
      } finally {
        db.close();
      }
    },
  });

  it('migrates a file from the first schema: ids move, each board keeps its log', async () => {
    const legacyDir = tempDataDir();
    const db = new Database(path.join(legacyDir, SQLITE_FILE_NAME));
    db.exec(`
      CREATE TABLE boards (edit_id TEXT PRIMARY KEY, view_id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX updates_by_board ON updates (board, seq);
    `);
    db.prepare('INSERT INTO boards VALUES (?, ?, ?)').run('old-board', 'old-view', 1_000);
    db.prepare('INSERT INTO updates (board, data) VALUES (?, ?)').run(
      'old-board',
      Buffer.from(shapeUpdate('legacy')),
    );
    db.close();

    const store = openIn(legacyDir);
    const found = await store.findBoard('old-view');
    assert.deepEqual(found, {
      board: { key: 'old-board', editId: 'old-board', viewId: 'old-view' },
      role: 'view',
    });
    assert.deepEqual(shapeIds((await store.loadLog('old-board')).updates), ['legacy']);
    const [listed] = await store.listBoards();
    assert.equal(listed?.lastChangeAt, 1_000, 'old rows have no time: the creation stands in');
    const rotated = await store.rotateId('old-board', 'edit');
    assert.equal(await store.findBoard('old-board'), null);
    assert.equal(rotated?.key, 'old-board');
    await store.close();
    const reopened = openIn(legacyDir);
    assert.equal(await reopened.isRetired('old-board'), true, 'a second open migrates nothing');
  });

  it('copies the write-ahead log back on its own thread: commits never checkpoint', async () => {
    const walDir = tempDataDir();
    const checkpoints: Checkpoint[] = [];
    const failures: unknown[] = [];
    const store = openSqliteStore(walDir, 'NORMAL', {
      checkpointed: (checkpoint) => checkpoints.push(checkpoint),
      checkpointerFailed: (error) => failures.push(error),
    });
    stores.push(store);
    const board = await store.createBoard(null, null);
    assert.ok(board);
    // About 3 pages a commit: past the 1,000 pages after which the worker is asked.
    for (let i = 0; i < 400; i++) await store.appendUpdates(board.key, [shapeUpdate(`s${i}`)]);
    const deadline = performance.now() + 10_000;
    while (checkpoints.length === 0 && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(failures, []);
    assert.ok(checkpoints.length > 0, 'the worker checkpointed');
    assert.ok(checkpoints[0] && checkpoints[0].checkpointed > 0, 'it copied frames back');

    assert.equal((await store.loadLog(board.key)).updates.length, 400);
    await store.close();
    const reopened = openIn(walDir);
    assert.equal((await reopened.loadLog(board.key)).updates.length, 400, 'all there after close');
  });
});
