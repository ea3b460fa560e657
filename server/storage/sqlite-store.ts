/**
 * The default BoardStore: one SQLite file (better-sqlite3, WAL) under DATA_DIR. Tables and the
 * key/id design: sqlite-schema.ts and board-store.ts.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL file before `appendUpdates`
 * resolves, so a process killed with SIGKILL loses nothing; only an OS crash or power cut can
 * lose the last commits (set SQLITE_SYNCHRONOUS=FULL to fsync every commit). Each operation is
 * one transaction, so the operator CLI (another process) can change boards safely meanwhile.
 * The WAL is copied back into the database by a worker thread (sqlite-checkpointer.ts), so no
 * commit waits for a checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newRandomId } from '../../common/board/ids.ts';
import {
  BoardGoneError,
  type BoardAccess,
  type BoardIds,
  type BoardRecord,
  type BoardStore,
  type BoardSummary,
  type Role,
  type StoredAsset,
  type StoredLog,
} from './board-store.ts';
import { boardTables, createSchema } from './sqlite-schema.ts';
import { sqliteHistory } from './sqlite-history.ts';
import { startCheckpointer, type Checkpoint } from './sqlite-checkpointer.ts';

export type SqliteSynchronous = 'NORMAL' | 'FULL';

/** What the store reports besides its answers (metrics, logs). */
export interface SqliteStoreHooks {
  /** A WAL checkpoint ran on the checkpointer's thread. */
  checkpointed?(checkpoint: Checkpoint): void;
  /** The checkpointer failed: the server's connection checkpoints itself again (as by default). */
  checkpointerFailed?(error: unknown): void;
}

export const SQLITE_FILE_NAME = 'boardcast.sqlite';

interface RecordRow {
  key: string;
  edit_id: string;
  view_id: string;
}

interface SummaryRow extends RecordRow {
  created_at: number;
  last_at: number;
  updates: number;
  bytes: number;
}

type IdRole = Role | 'retired';

interface AssetRow {
  asset_id: string;
  type: string;
  data: Buffer;
}

const toAsset = (row: AssetRow): StoredAsset => ({
  assetId: row.asset_id,
  type: row.type,
  data: new Uint8Array(row.data),
});

/** The board's edit and view ids side by side. */
const RECORD_SELECT = `
  SELECT e.board AS key, e.id AS edit_id, v.id AS view_id
  FROM board_ids e JOIN board_ids v ON v.board = e.board AND v.role = 'view'
  WHERE e.role = 'edit'`;

const SUMMARY_SELECT = `
  SELECT b.board AS key, e.id AS edit_id, v.id AS view_id, b.created_at AS created_at,
    COALESCE(u.n, 0) AS updates, COALESCE(u.bytes, 0) AS bytes,
    MAX(b.created_at, COALESCE(u.last_at, 0)) AS last_at
  FROM boards b
  JOIN board_ids e ON e.board = b.board AND e.role = 'edit'
  JOIN board_ids v ON v.board = b.board AND v.role = 'view'
  LEFT JOIN (SELECT board, count(*) AS n, sum(length(data)) AS bytes, max(at) AS last_at
             FROM updates GROUP BY board) u ON u.board = b.board
  ORDER BY b.created_at, b.board`;

const toRecord = (row: RecordRow): BoardRecord => ({
  key: row.key,
  editId: row.edit_id,
  viewId: row.view_id,
});

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function openSqliteStore(
  dataDir: string,
  synchronous: SqliteSynchronous = 'NORMAL',
  hooks: SqliteStoreHooks = {},
): BoardStore {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  createSchema(db);
  const checkpointer = startCheckpointer(db, {
    synchronous,
    ...(hooks.checkpointed ? { onCheckpoint: hooks.checkpointed } : {}),
    onFailure: (error) => hooks.checkpointerFailed?.(error),
  });
  const wrote = (bytes: number) => checkpointer.wrote(bytes);

  const roleOfId = db.prepare<[string], { role: IdRole; board: string }>(
    'SELECT role, board FROM board_ids WHERE id = ?',
  );
  const recordByKey = db.prepare<[string], RecordRow>(`${RECORD_SELECT} AND e.board = ?`);
  const boardExists = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM boards WHERE board = ?',
  );
  const insertBoard = db.prepare('INSERT INTO boards (board, created_at) VALUES (?, ?)');
  const insertId = db.prepare('INSERT INTO board_ids (id, board, role, since) VALUES (?, ?, ?, ?)');
  const retireId = db.prepare(
    "UPDATE board_ids SET role = 'retired', since = ? WHERE board = ? AND role = ?",
  );
  const selectLog = db.prepare<[string], { data: Buffer }>(
    'SELECT data FROM updates WHERE board = ? ORDER BY seq',
  );
  const insertUpdate = db.prepare('INSERT INTO updates (board, data, at) VALUES (?, ?, ?)');
  const deleteLog = db.prepare('DELETE FROM updates WHERE board = ?');
  const summaries = db.prepare<[], SummaryRow>(SUMMARY_SELECT);
  const insertAsset = db.prepare(
    'INSERT OR IGNORE INTO assets (board, asset_id, type, data, at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectAsset = db.prepare<[string, string], AssetRow>(
    'SELECT asset_id, type, data FROM assets WHERE board = ? AND asset_id = ?',
  );
  const selectAssets = db.prepare<[string], AssetRow>(
    'SELECT asset_id, type, data FROM assets WHERE board = ? ORDER BY at, asset_id',
  );

  const byKey = (key: string): BoardRecord | null => {
    const row = recordByKey.get(key);
    return row ? toRecord(row) : null;
  };
  /** A random id no board uses, live or retired (128 bits: the loop runs once). */
  const freshId = (): string => {
    let id = newRandomId();
    while (roleOfId.get(id) || boardExists.get(id)) id = newRandomId();
    return id;
  };
  const insertBoardWith = (
    editId: string,
    viewId: string,
    state: Uint8Array | null,
    assets: readonly StoredAsset[] = [],
  ) => {
    const key = freshId();
    const now = Date.now();
    insertBoard.run(key, now);
    insertId.run(editId, key, 'edit', now);
    insertId.run(viewId, key, 'view', now);
    if (state) insertUpdate.run(key, toBuffer(state), now);
    for (const asset of assets)
      insertAsset.run(key, asset.assetId, asset.type, toBuffer(asset.data), now);
    return { key, editId, viewId };
  };

  const ensure = db.transaction((editId: string): BoardRecord | null => {
    const existing = roleOfId.get(editId);
    if (existing) return existing.role === 'edit' ? byKey(existing.board) : null;
    return insertBoardWith(editId, freshId(), null);
  });
  const create = db.transaction(
    (ids: BoardIds | null, state: Uint8Array | null, assets: readonly StoredAsset[]) => {
      if (!ids) return insertBoardWith(freshId(), freshId(), state, assets);
      if (ids.editId === ids.viewId || roleOfId.get(ids.editId) || roleOfId.get(ids.viewId))
        return null;
      return insertBoardWith(ids.editId, ids.viewId, state, assets);
    },
  );
  const putAsset = db.transaction((key: string, asset: StoredAsset): boolean => {
    if (!boardExists.get(key)) throw new BoardGoneError(key);
    const result = insertAsset.run(
      key,
      asset.assetId,
      asset.type,
      toBuffer(asset.data),
      Date.now(),
    );
    return result.changes > 0;
  });
  const append = db.transaction((key: string, updates: readonly Uint8Array[]) => {
    if (!boardExists.get(key)) throw new BoardGoneError(key);
    const now = Date.now();
    for (const update of updates) insertUpdate.run(key, toBuffer(update), now);
  });
  const replace = db.transaction((key: string, state: Uint8Array) => {
    if (!boardExists.get(key)) return;
    deleteLog.run(key);
    insertUpdate.run(key, toBuffer(state), Date.now());
  });
  const rotate = db.transaction((key: string, which: Role): BoardRecord | null => {
    if (!byKey(key)) return null;
    const now = Date.now();
    retireId.run(now, key, which);
    insertId.run(freshId(), key, which, now);
    return byKey(key);
  });
  const remove = db.transaction((key: string): boolean => {
    if (!boardExists.get(key)) return false;
    for (const table of boardTables(db))
      db.prepare(`DELETE FROM "${table}" WHERE board = ?`).run(key);
    return true;
  });

  return {
    history: sqliteHistory(db, wrote),
    async findBoard(id: string): Promise<BoardAccess | null> {
      const found = roleOfId.get(id);
      if (!found || found.role === 'retired') return null;
      const board = byKey(found.board);
      return board ? { board, role: found.role } : null;
    },
    async isRetired(id: string): Promise<boolean> {
      return roleOfId.get(id)?.role === 'retired';
    },
    async ensureBoard(editId: string): Promise<BoardRecord | null> {
      return ensure(editId);
    },
    async createBoard(ids: BoardIds | null, state: Uint8Array | null, assets = []) {
      const created = create(ids, state, assets);
      wrote(
        (state?.byteLength ?? 0) + assets.reduce((sum, asset) => sum + asset.data.byteLength, 0),
      );
      return created;
    },
    async boardByKey(key: string): Promise<BoardRecord | null> {
      return byKey(key);
    },
    async loadLog(key: string): Promise<StoredLog> {
      const updates = selectLog.all(key).map((row) => new Uint8Array(row.data));
      return { updates, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) };
    },
    async appendUpdates(key: string, updates: readonly Uint8Array[]): Promise<void> {
      append(key, updates);
      wrote(updates.reduce((sum, update) => sum + update.byteLength, 0));
    },
    async replaceLog(key: string, mergedState: Uint8Array): Promise<void> {
      replace(key, mergedState);
      wrote(mergedState.byteLength);
    },
    async putAsset(key: string, asset: StoredAsset): Promise<boolean> {
      const added = putAsset(key, asset);
      wrote(asset.data.byteLength);
      return added;
    },
    async getAsset(key: string, assetId: string): Promise<StoredAsset | null> {
      const row = selectAsset.get(key, assetId);
      return row ? toAsset(row) : null;
    },
    async listAssets(key: string): Promise<StoredAsset[]> {
      return selectAssets.all(key).map(toAsset);
    },
    async rotateId(key: string, which: Role): Promise<BoardRecord | null> {
      return rotate(key, which);
    },
    async deleteBoard(key: string): Promise<boolean> {
      return remove(key);
    },
    async listBoards(): Promise<BoardSummary[]> {
      return summaries.all().map((row) => ({
        ...toRecord(row),
        createdAt: row.created_at,
        lastChangeAt: row.last_at,
        updates: row.updates,
        bytes: row.bytes,
      }));
    },
    async close(): Promise<void> {
      await checkpointer.close();
      if (db.open) db.close();
    },
  };
}
