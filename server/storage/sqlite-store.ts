/**
 * The default BoardStore: one SQLite file (better-sqlite3, WAL) under DATA_DIR.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL file before `appendUpdates`
 * resolves, so a process killed with SIGKILL loses nothing; only an OS crash or power cut can
 * lose the last commits (set SQLITE_SYNCHRONOUS=FULL to fsync every commit).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newRandomId } from '../../common/board/ids.ts';
import type { BoardAccess, BoardRecord, BoardStore, StoredLog } from './board-store.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS boards (
    edit_id TEXT PRIMARY KEY,
    view_id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    board TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS updates_by_board ON updates (board, seq);
`;

export type SqliteSynchronous = 'NORMAL' | 'FULL';

interface Row {
  edit_id: string;
  view_id: string;
}

export function openSqliteStore(
  dataDir: string,
  synchronous: SqliteSynchronous = 'NORMAL',
): BoardStore {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'boardcast.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const byEditId = db.prepare<[string], Row>(
    'SELECT edit_id, view_id FROM boards WHERE edit_id = ?',
  );
  const byViewId = db.prepare<[string], Row>(
    'SELECT edit_id, view_id FROM boards WHERE view_id = ?',
  );
  const insertBoard = db.prepare(
    'INSERT OR IGNORE INTO boards (edit_id, view_id, created_at) VALUES (?, ?, ?)',
  );
  const selectLog = db.prepare<[string], { data: Buffer }>(
    'SELECT data FROM updates WHERE board = ? ORDER BY seq',
  );
  const insertUpdate = db.prepare('INSERT INTO updates (board, data) VALUES (?, ?)');
  const deleteLog = db.prepare('DELETE FROM updates WHERE board = ?');

  const toRecord = (row: Row): BoardRecord => ({ editId: row.edit_id, viewId: row.view_id });

  const append = db.transaction((editId: string, updates: readonly Uint8Array[]) => {
    for (const update of updates)
      insertUpdate.run(editId, Buffer.from(update.buffer, update.byteOffset, update.byteLength));
  });
  const replace = db.transaction((editId: string, state: Uint8Array) => {
    deleteLog.run(editId);
    insertUpdate.run(editId, Buffer.from(state.buffer, state.byteOffset, state.byteLength));
  });
  const ensure = db.transaction((editId: string): BoardRecord => {
    const existing = byEditId.get(editId);
    if (existing) return toRecord(existing);
    let viewId = newRandomId();
    // A view id must never equal any edit id (it would grant editing); 128 random bits make
    // this loop run once, but it costs nothing to be sure.
    while (byEditId.get(viewId) || byViewId.get(viewId)) viewId = newRandomId();
    insertBoard.run(editId, viewId, Date.now());
    return toRecord(byEditId.get(editId) as Row);
  });

  return {
    async findBoard(id: string): Promise<BoardAccess | null> {
      const asEdit = byEditId.get(id);
      if (asEdit) return { board: toRecord(asEdit), role: 'edit' };
      const asView = byViewId.get(id);
      return asView ? { board: toRecord(asView), role: 'view' } : null;
    },
    async ensureBoard(editId: string): Promise<BoardRecord> {
      return ensure(editId);
    },
    async loadLog(editId: string): Promise<StoredLog> {
      const updates = selectLog.all(editId).map((row) => new Uint8Array(row.data));
      return { updates, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) };
    },
    async appendUpdates(editId: string, updates: readonly Uint8Array[]): Promise<void> {
      append(editId, updates);
    },
    async replaceLog(editId: string, mergedState: Uint8Array): Promise<void> {
      replace(editId, mergedState);
    },
    async close(): Promise<void> {
      if (db.open) db.close();
    },
  };
}
