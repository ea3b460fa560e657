/**
 * The scale-out BoardStore: PostgreSQL (`pg`), shared by every instance. Loaded only when
 * DATABASE_URL is set (server/scale/scale-out.ts imports it dynamically).
 *
 * Same promise as SQLite: `appendUpdates` resolves once its one transaction is committed. Several
 * instances append to one board's log at once, so compaction never replaces "the whole log": in
 * one transaction, under a per-board advisory lock, it reads the rows committed so far, merges
 * exactly those and deletes exactly those (by seq). A row another instance commits meanwhile is
 * not among them and survives; the merged row gets a later seq, which is harmless because Yjs
 * updates commute.
 */
import pg from 'pg';
import * as Y from 'yjs';
import { newRandomId } from '../../common/board/ids.ts';
import type { BoardAccess, BoardRecord, BoardStore, StoredLog } from './board-store.ts';

/** A key for pg_advisory_xact_lock while the schema is created (any constant works). */
const SCHEMA_LOCK_KEY = 7_007_001;
/** How long to wait for a connection before the operation fails (and the room refuses with 1013). */
const CONNECT_TIMEOUT_MS = 3_000;
/** A query that takes longer fails; a commit must not hang a room forever. */
const QUERY_TIMEOUT_MS = 10_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS boardcast_boards (
    edit_id TEXT PRIMARY KEY,
    view_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS boardcast_updates (
    seq BIGSERIAL PRIMARY KEY,
    board TEXT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX IF NOT EXISTS boardcast_updates_by_board ON boardcast_updates (board, seq);
`;

export interface PostgresStore extends BoardStore {
  /** Resolves when the database answers a trivial query; for health probes. */
  ping(): Promise<void>;
}

export interface PostgresStoreOptions {
  connectionString: string;
  poolSize: number;
  /** Called for errors on idle connections (e.g. the server restarted); they are not fatal. */
  onIdleError?(error: Error): void;
}

interface BoardRow {
  edit_id: string;
  view_id: string;
}

const toRecord = (row: BoardRow): BoardRecord => ({ editId: row.edit_id, viewId: row.view_id });
const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Connects, creates the tables when missing (safely, from several instances at once). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  try {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await client.query(SCHEMA);
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createStore(pool);
}

async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction is dropped rather than reused.
    client.release(broken);
  }
}

/** Every row merged into one state; a fresh doc garbage-collects deleted content. */
function mergeRows(rows: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  try {
    doc.transact(() => rows.forEach((row) => Y.applyUpdate(doc, row)));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

function createStore(pool: pg.Pool): PostgresStore {
  let closed = false;
  const selectBoard = (column: 'edit_id' | 'view_id', id: string) =>
    pool
      .query<BoardRow>(`SELECT edit_id, view_id FROM boardcast_boards WHERE ${column} = $1`, [id])
      .then((result) => result.rows[0]);

  return {
    async findBoard(id: string): Promise<BoardAccess | null> {
      const { rows } = await pool.query<BoardRow>(
        'SELECT edit_id, view_id FROM boardcast_boards WHERE edit_id = $1 OR view_id = $1',
        [id],
      );
      const asEdit = rows.find((row) => row.edit_id === id);
      if (asEdit) return { board: toRecord(asEdit), role: 'edit' };
      return rows[0] ? { board: toRecord(rows[0]), role: 'view' } : null;
    },
    async ensureBoard(editId: string): Promise<BoardRecord> {
      const existing = await selectBoard('edit_id', editId);
      if (existing) return toRecord(existing);
      let viewId = newRandomId();
      // A view id must never equal any edit id; 128 random bits make this loop run once.
      while ((await selectBoard('edit_id', viewId)) || (await selectBoard('view_id', viewId)))
        viewId = newRandomId();
      // Two instances creating one board race here: ON CONFLICT keeps the first, both read it.
      await pool.query(
        'INSERT INTO boardcast_boards (edit_id, view_id) VALUES ($1, $2) ON CONFLICT (edit_id) DO NOTHING',
        [editId, viewId],
      );
      const row = await selectBoard('edit_id', editId);
      if (!row) throw new Error(`board ${editId} was not created`);
      return toRecord(row);
    },
    async loadLog(editId: string): Promise<StoredLog> {
      const { rows } = await pool.query<{ data: Buffer }>(
        'SELECT data FROM boardcast_updates WHERE board = $1 ORDER BY seq',
        [editId],
      );
      const updates = rows.map(
        (row) => new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
      );
      return { updates, bytes: updates.reduce((sum, update) => sum + update.byteLength, 0) };
    },
    async appendUpdates(editId: string, updates: readonly Uint8Array[]): Promise<void> {
      if (updates.length === 0) return;
      // One statement is one transaction: all rows or none.
      await pool.query(
        'INSERT INTO boardcast_updates (board, data) SELECT $1, unnest($2::bytea[])',
        [editId, updates.map(toBuffer)],
      );
    },
    async replaceLog(editId: string, _mergedState: Uint8Array): Promise<void> {
      // The room's state is not used: merging the rows themselves is what makes it safe to
      // delete exactly them, whatever other instances appended.
      await inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('boardcast_compact:' || $1))", [
          editId,
        ]);
        const { rows } = await client.query<{ seq: string; data: Buffer }>(
          'SELECT seq, data FROM boardcast_updates WHERE board = $1 ORDER BY seq',
          [editId],
        );
        if (rows.length < 2) return;
        const merged = mergeRows(rows.map((row) => new Uint8Array(row.data)));
        await client.query(
          'DELETE FROM boardcast_updates WHERE board = $1 AND seq = ANY($2::bigint[])',
          [editId, rows.map((row) => row.seq)],
        );
        await client.query('INSERT INTO boardcast_updates (board, data) VALUES ($1, $2)', [
          editId,
          toBuffer(merged),
        ]);
      });
    },
    async ping(): Promise<void> {
      await pool.query('SELECT 1');
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
