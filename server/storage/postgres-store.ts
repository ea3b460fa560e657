/**
 * The scale-out BoardStore: PostgreSQL (`pg`), shared by every instance. Loaded only when
 * DATABASE_URL is set (server/scale/scale-out.ts imports it dynamically). Tables: postgres-schema.ts;
 * creating, resetting and deleting boards: postgres-boards.ts.
 *
 * Same promise as SQLite: `appendUpdates` resolves once its one transaction is committed. Several
 * instances append to one board's log at once, so compaction never replaces "the whole log": in
 * one transaction, under a per-board advisory lock, it reads the rows committed so far, merges
 * exactly those and deletes exactly those (by seq). A row another instance commits meanwhile is
 * not among them and survives; the merged row gets a later seq, which is harmless because Yjs
 * updates commute.
 *
 * Deletion against writers: an append takes a KEY SHARE lock on the board's row in the same
 * statement, and a delete locks that row FOR UPDATE before it deletes anything. So an append
 * either commits before the delete reads the tables (and is deleted with them) or finds the row
 * gone and commits nothing (BoardGoneError): no row outlives its board.
 */
import pg from 'pg';
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
import { mergeLog } from './merge-log.ts';
import {
  createBoardWith,
  deleteBoardRows,
  inTransaction,
  listBoardRows,
  recordByKey,
  rotateBoardId,
  type Queryable,
} from './postgres-boards.ts';
import { postgresHistory } from './postgres-history.ts';
import { createSchema } from './postgres-schema.ts';

/** How long to wait for a connection at most before the operation fails (and the room refuses with 1013). */
const CONNECT_TIMEOUT_MS = 3_000;
/** A query that takes longer fails (DATABASE_TIMEOUT_MS); a commit must not hang a room forever. */
const QUERY_TIMEOUT_MS = 10_000;
/** What the server's connections are called in pg_stat_activity (the CLI looks for it). */
export const SERVER_APPLICATION_NAME = 'boardcast';

export interface PostgresStore extends BoardStore {
  /** Resolves when the database answers a trivial query; for health probes. */
  ping(): Promise<void>;
  /** Whether a Boardcast server (other than this process) is connected to the database. */
  serverConnected(): Promise<boolean>;
}

export interface PostgresStoreOptions {
  connectionString: string;
  poolSize: number;
  /** A query that takes longer fails and its connection is dropped; 10 s by default. */
  queryTimeoutMs?: number;
  /** `application_name` of the connections; the server's by default. */
  applicationName?: string;
  /** Called for errors on idle connections (e.g. the server restarted); they are not fatal. */
  onIdleError?(error: Error): void;
}

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

interface AssetRow {
  asset_id: string;
  type: string;
  data: Buffer;
}

const toAsset = (row: AssetRow): StoredAsset => ({
  assetId: row.asset_id,
  type: row.type,
  data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
});

/** Connects, creates the tables when missing (safely, from several instances at once). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: Math.min(CONNECT_TIMEOUT_MS, queryTimeoutMs),
    query_timeout: queryTimeoutMs,
    application_name: options.applicationName ?? SERVER_APPLICATION_NAME,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  try {
    await inTransaction(pool, createSchema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createStore(pool);
}

async function findId(db: Queryable, id: string) {
  const { rows } = await db.query<{ board: string; role: Role | 'retired' }>(
    'SELECT board, role FROM boardcast_board_ids WHERE id = $1',
    [id],
  );
  return rows[0];
}

function createStore(pool: pg.Pool): PostgresStore {
  let closed = false;

  return {
    history: postgresHistory(pool),
    async findBoard(id: string): Promise<BoardAccess | null> {
      const found = await findId(pool, id);
      if (!found || found.role === 'retired') return null;
      const board = await recordByKey(pool, found.board);
      return board ? { board, role: found.role } : null;
    },
    async isRetired(id: string): Promise<boolean> {
      return (await findId(pool, id))?.role === 'retired';
    },
    async ensureBoard(editId: string): Promise<BoardRecord | null> {
      // Two instances creating one board race here: the id's primary key keeps the first, and
      // the loser finds it on its next look.
      for (;;) {
        const found = await findId(pool, editId);
        if (found) return found.role === 'edit' ? recordByKey(pool, found.board) : null;
        const created = await createBoardWith(pool, editId, null, null);
        if (created) return created;
      }
    },
    async createBoard(ids: BoardIds | null, state: Uint8Array | null, assets = []) {
      if (ids) return createBoardWith(pool, ids.editId, ids.viewId, state, assets);
      for (;;) {
        const created = await createBoardWith(pool, null, null, state, assets);
        if (created) return created;
      }
    },
    boardByKey: (key) => recordByKey(pool, key),
    async loadLog(key: string): Promise<StoredLog> {
      const { rows } = await pool.query<{ data: Buffer }>(
        'SELECT data FROM boardcast_updates WHERE board = $1 ORDER BY seq',
        [key],
      );
      const updates = rows.map(
        (row) => new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
      );
      return { updates, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) };
    },
    async appendUpdates(key: string, updates: readonly Uint8Array[]): Promise<void> {
      if (updates.length === 0) return;
      // One statement is one transaction: all rows or none, and none once the board is gone.
      const result = await pool.query(
        `WITH owner AS (SELECT board FROM boardcast_boards WHERE board = $1 FOR KEY SHARE)
         INSERT INTO boardcast_updates (board, data) SELECT owner.board, unnest($2::bytea[]) FROM owner`,
        [key, updates.map(toBuffer)],
      );
      if (result.rowCount === 0) throw new BoardGoneError(key);
    },
    async replaceLog(key: string, _mergedState: Uint8Array): Promise<void> {
      // The room's state is not used: merging the rows themselves is what makes it safe to
      // delete exactly them, whatever other instances appended.
      await inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('boardcast_compact:' || $1))", [
          key,
        ]);
        const owner = await client.query(
          'SELECT 1 FROM boardcast_boards WHERE board = $1 FOR KEY SHARE',
          [key],
        );
        if (owner.rows.length === 0) return;
        const { rows } = await client.query<{ seq: string; data: Buffer }>(
          'SELECT seq, data FROM boardcast_updates WHERE board = $1 ORDER BY seq',
          [key],
        );
        if (rows.length < 2) return;
        const merged = mergeLog(rows.map((row) => new Uint8Array(row.data)));
        await client.query(
          'DELETE FROM boardcast_updates WHERE board = $1 AND seq = ANY($2::bigint[])',
          [key, rows.map((row) => row.seq)],
        );
        await client.query('INSERT INTO boardcast_updates (board, data) VALUES ($1, $2)', [
          key,
          toBuffer(merged),
        ]);
      });
    },
    async putAsset(key: string, asset: StoredAsset): Promise<boolean> {
      // Like an append: the board's row is share-locked in the same statement, so an asset
      // never outlives a delete running at the same time.
      const result = await pool.query(
        `WITH owner AS (SELECT board FROM boardcast_boards WHERE board = $1 FOR KEY SHARE)
         INSERT INTO boardcast_assets (board, asset_id, type, data)
         SELECT owner.board, $2, $3, $4 FROM owner ON CONFLICT DO NOTHING`,
        [key, asset.assetId, asset.type, toBuffer(asset.data)],
      );
      if (result.rowCount) return true;
      if (await recordByKey(pool, key)) return false; // it was there already
      throw new BoardGoneError(key);
    },
    async getAsset(key: string, assetId: string): Promise<StoredAsset | null> {
      const { rows } = await pool.query<AssetRow>(
        'SELECT asset_id, type, data FROM boardcast_assets WHERE board = $1 AND asset_id = $2',
        [key, assetId],
      );
      return rows[0] ? toAsset(rows[0]) : null;
    },
    async listAssets(key: string): Promise<StoredAsset[]> {
      const { rows } = await pool.query<AssetRow>(
        'SELECT asset_id, type, data FROM boardcast_assets WHERE board = $1 ORDER BY at, asset_id',
        [key],
      );
      return rows.map(toAsset);
    },
    rotateId: (key: string, which: Role) => rotateBoardId(pool, key, which),
    deleteBoard: (key: string) => deleteBoardRows(pool, key),
    listBoards: (): Promise<BoardSummary[]> => listBoardRows(pool),
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },
    async serverConnected(): Promise<boolean> {
      const { rows } = await pool.query(
        `SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()
         LIMIT 1`,
        [SERVER_APPLICATION_NAME],
      );
      return rows.length > 0;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
