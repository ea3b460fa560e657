/** Board history in SQLite (history-store.ts): the `history` table of sqlite-schema.ts. */
import type Database from 'better-sqlite3';
import {
  parseNames,
  storedNames,
  type CheckpointSummary,
  type HistoryStore,
} from './history-store.ts';

interface SummaryRow {
  n: number;
  at: number;
  shapes: number;
  names: string;
  bytes: number;
}

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** `wrote`: told the bytes of each checkpoint stored (the store's WAL checkpointer counts them). */
export function sqliteHistory(
  db: Database.Database,
  wrote: (bytes: number) => void = () => {},
): HistoryStore {
  const boardExists = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM boards WHERE board = ?',
  );
  const nextN = db.prepare<[string], { n: number }>(
    'SELECT COALESCE(MAX(n), 0) + 1 AS n FROM history WHERE board = ?',
  );
  const insert = db.prepare(
    'INSERT INTO history (board, n, at, shapes, names, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const summaries = db.prepare<[string], SummaryRow>(
    `SELECT n, at, shapes, names, length(data) AS bytes FROM history WHERE board = ?
     ORDER BY n DESC`,
  );
  const one = db.prepare<[string, number], { data: Buffer }>(
    'SELECT data FROM history WHERE board = ? AND n = ?',
  );
  const prune = db.prepare('DELETE FROM history WHERE at < ?');
  const add = db.transaction(
    (key: string, at: number, state: Uint8Array, shapes: number, names: string): number | null => {
      if (!boardExists.get(key)) return null;
      const n = (nextN.get(key) as { n: number }).n;
      insert.run(key, n, at, shapes, names, toBuffer(state));
      return n;
    },
  );

  return {
    async add(key, checkpoint) {
      const names = JSON.stringify(storedNames(checkpoint.names));
      const n = add(key, checkpoint.at, checkpoint.state, checkpoint.shapes, names);
      wrote(checkpoint.state.byteLength);
      return n;
    },
    async list(key): Promise<CheckpointSummary[]> {
      return summaries.all(key).map((row) => ({ ...row, names: parseNames(row.names) }));
    },
    async load(key, n) {
      const row = one.get(key, n);
      return row ? new Uint8Array(row.data) : null;
    },
    async prune(before) {
      return prune.run(before).changes;
    },
  };
}
