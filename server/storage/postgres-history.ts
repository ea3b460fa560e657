/**
 * Board history in PostgreSQL (history-store.ts): `boardcast_history` (postgres-schema.ts).
 * Several instances may take a checkpoint of one board at once: the number is picked in the
 * insert itself, and a clash on (board, n) is tried again with the next one.
 */
import type pg from 'pg';
import {
  parseNames,
  storedNames,
  type CheckpointSummary,
  type HistoryStore,
} from './history-store.ts';

const INSERT_ATTEMPTS = 5;

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function postgresHistory(pool: pg.Pool): HistoryStore {
  return {
    async add(key, checkpoint) {
      const names = JSON.stringify(storedNames(checkpoint.names));
      for (let attempt = 0; attempt < INSERT_ATTEMPTS; attempt++) {
        const { rows } = await pool.query<{ n: number }>(
          `WITH owner AS (SELECT board FROM boardcast_boards WHERE board = $1 FOR KEY SHARE)
           INSERT INTO boardcast_history (board, n, at, shapes, names, data)
           SELECT owner.board,
             (SELECT COALESCE(MAX(n), 0) + 1 FROM boardcast_history WHERE board = $1),
             $2, $3, $4, $5 FROM owner
           ON CONFLICT (board, n) DO NOTHING RETURNING n`,
          [key, checkpoint.at, checkpoint.shapes, names, toBuffer(checkpoint.state)],
        );
        if (rows[0]) return Number(rows[0].n);
        const exists = await pool.query('SELECT 1 FROM boardcast_boards WHERE board = $1', [key]);
        if (exists.rows.length === 0) return null;
      }
      throw new Error('could not number a checkpoint: too many at once');
    },
    async list(key): Promise<CheckpointSummary[]> {
      const { rows } = await pool.query<{
        n: number;
        at: string;
        shapes: number;
        names: string;
        bytes: number;
      }>(
        `SELECT n, at, shapes, names, octet_length(data) AS bytes FROM boardcast_history
         WHERE board = $1 ORDER BY n DESC`,
        [key],
      );
      return rows.map((row) => ({
        n: Number(row.n),
        at: Number(row.at),
        shapes: Number(row.shapes),
        names: parseNames(row.names),
        bytes: Number(row.bytes),
      }));
    },
    async load(key, n) {
      const { rows } = await pool.query<{ data: Buffer }>(
        'SELECT data FROM boardcast_history WHERE board = $1 AND n = $2',
        [key, n],
      );
      const data = rows[0]?.data;
      return data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    },
    async prune(before) {
      const result = await pool.query('DELETE FROM boardcast_history WHERE at < $1', [before]);
      return result.rowCount ?? 0;
    },
  };
}
