/**
 * The PostgreSQL store's board lifecycle: creating a board, resetting one of its ids, deleting
 * it, listing every board. Each is one transaction. Ids are unique across live and retired ones
 * (the primary key of `boardcast_board_ids`), so two instances creating one name, or a creation
 * racing a reset of that name, cannot both win: the loser's insert finds the id taken.
 */
import type pg from 'pg';
import { newRandomId } from '../../common/board/ids.ts';
import type { BoardRecord, BoardSummary, Role, StoredAsset } from './board-store.ts';
import { boardTables } from './postgres-schema.ts';

export type Queryable = pg.Pool | pg.PoolClient;

/** Thrown inside a transaction to roll it back when an id turned out to be taken. */
class IdTaken extends Error {}

export async function inTransaction<T>(
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
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    if (!(error instanceof IdTaken))
      broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-transaction is dropped rather than reused.
    client.release(broken);
  }
}

interface RecordRow {
  key: string;
  edit_id: string;
  view_id: string;
}

const toRecord = (row: RecordRow): BoardRecord => ({
  key: row.key,
  editId: row.edit_id,
  viewId: row.view_id,
});

export async function recordByKey(db: Queryable, key: string): Promise<BoardRecord | null> {
  const { rows } = await db.query<RecordRow>(
    `SELECT e.board AS key, e.id AS edit_id, v.id AS view_id
     FROM boardcast_board_ids e
     JOIN boardcast_board_ids v ON v.board = e.board AND v.role = 'view'
     WHERE e.board = $1 AND e.role = 'edit'`,
    [key],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Inserts an id for the board; throws IdTaken when it is already in use (live or retired). */
async function insertId(client: pg.PoolClient, id: string, key: string, role: Role) {
  const { rows } = await client.query(
    `INSERT INTO boardcast_board_ids (id, board, role) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, key, role],
  );
  if (rows.length === 0) throw new IdTaken();
}

/**
 * A new board with these ids (null: random ones) and `state` as its log; null when an id (or the
 * random key) is taken, in which case nothing was written.
 */
export async function createBoardWith(
  pool: pg.Pool,
  editId: string | null,
  viewId: string | null,
  state: Uint8Array | null,
  assets: readonly StoredAsset[] = [],
): Promise<BoardRecord | null> {
  const record = {
    key: newRandomId(),
    editId: editId ?? newRandomId(),
    viewId: viewId ?? newRandomId(),
  };
  if (record.editId === record.viewId) return null;
  try {
    await inTransaction(pool, async (client) => {
      const inserted = await client.query(
        'INSERT INTO boardcast_boards (board) VALUES ($1) ON CONFLICT DO NOTHING RETURNING board',
        [record.key],
      );
      if (inserted.rows.length === 0) throw new IdTaken();
      await insertId(client, record.editId, record.key, 'edit');
      await insertId(client, record.viewId, record.key, 'view');
      if (state)
        await client.query('INSERT INTO boardcast_updates (board, data) VALUES ($1, $2)', [
          record.key,
          Buffer.from(state.buffer, state.byteOffset, state.byteLength),
        ]);
      for (const asset of assets)
        await client.query(
          `INSERT INTO boardcast_assets (board, asset_id, type, data) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [record.key, asset.assetId, asset.type, Buffer.from(asset.data)],
        );
    });
    return record;
  } catch (error) {
    if (error instanceof IdTaken) return null;
    throw error;
  }
}

/**
 * Retires the board's `which` id and gives it a fresh one. The board's row is locked first, so
 * resets of one board take turns and a delete waits for them (appends do not).
 */
export async function rotateBoardId(
  pool: pg.Pool,
  key: string,
  which: Role,
): Promise<BoardRecord | null> {
  return inTransaction(pool, async (client) => {
    const owner = await client.query(
      'SELECT 1 FROM boardcast_boards WHERE board = $1 FOR NO KEY UPDATE',
      [key],
    );
    if (owner.rows.length === 0) return null;
    await client.query(
      "UPDATE boardcast_board_ids SET role = 'retired', since = now() WHERE board = $1 AND role = $2",
      [key, which],
    );
    for (;;) {
      const id = newRandomId();
      const { rows } = await client.query(
        `INSERT INTO boardcast_board_ids (id, board, role) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, key, which],
      );
      if (rows.length > 0) break; // 128 random bits: a collision is never expected
    }
    return recordByKey(client, key);
  });
}

/** Deletes the board's rows from every table with a `board` column; false when it was gone. */
export async function deleteBoardRows(pool: pg.Pool, key: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    // Locked first: appends in flight finish before, later ones find it gone (postgres-store.ts).
    const owner = await client.query('SELECT 1 FROM boardcast_boards WHERE board = $1 FOR UPDATE', [
      key,
    ]);
    if (owner.rows.length === 0) return false;
    for (const table of await boardTables(client)) {
      if (table !== 'boardcast_boards')
        await client.query(`DELETE FROM "${table}" WHERE board = $1`, [key]);
    }
    await client.query('DELETE FROM boardcast_boards WHERE board = $1', [key]);
    return true;
  });
}

interface SummaryRow extends RecordRow {
  created_at: number;
  last_at: number;
  updates: number;
  bytes: number;
}

export async function listBoardRows(pool: pg.Pool): Promise<BoardSummary[]> {
  const { rows } = await pool.query<SummaryRow>(
    `SELECT b.board AS key, e.id AS edit_id, v.id AS view_id,
       (extract(epoch FROM b.created_at) * 1000)::float8 AS created_at,
       (extract(epoch FROM GREATEST(b.created_at, COALESCE(u.last_at, b.created_at))) * 1000)::float8
         AS last_at,
       COALESCE(u.n, 0)::float8 AS updates, COALESCE(u.bytes, 0)::float8 AS bytes
     FROM boardcast_boards b
     JOIN boardcast_board_ids e ON e.board = b.board AND e.role = 'edit'
     JOIN boardcast_board_ids v ON v.board = b.board AND v.role = 'view'
     LEFT JOIN (SELECT board, count(*) AS n, sum(octet_length(data)) AS bytes, max(at) AS last_at
                FROM boardcast_updates GROUP BY board) u ON u.board = b.board
     ORDER BY b.created_at, b.board`,
  );
  return rows.map((row) => ({
    ...toRecord(row),
    createdAt: Math.round(row.created_at),
    lastChangeAt: Math.round(row.last_at),
    updates: row.updates,
    bytes: row.bytes,
  }));
}
