/**
 * The PostgreSQL schema (the same layout as sqlite-schema.ts, tables prefixed `boardcast_`), and
 * the migration from the first one, run under an advisory lock so several instances starting at
 * once create or migrate the tables exactly once. Upgrade every instance together: an instance
 * of the previous version cannot use the migrated tables.
 */
import type pg from 'pg';

/** A key for pg_advisory_xact_lock while the schema is created (any constant works). */
const SCHEMA_LOCK_KEY = 7_007_001;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS boardcast_boards (
    board TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS boardcast_board_ids (
    id TEXT PRIMARY KEY,
    board TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('edit', 'view', 'retired')),
    since TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS boardcast_board_ids_by_board ON boardcast_board_ids (board, role);
  CREATE TABLE IF NOT EXISTS boardcast_updates (
    seq BIGSERIAL PRIMARY KEY,
    board TEXT NOT NULL,
    data BYTEA NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  ALTER TABLE boardcast_updates ADD COLUMN IF NOT EXISTS at TIMESTAMPTZ NOT NULL DEFAULT now();
  CREATE INDEX IF NOT EXISTS boardcast_updates_by_board ON boardcast_updates (board, seq);
  CREATE TABLE IF NOT EXISTS boardcast_history (
    board TEXT NOT NULL,
    n INTEGER NOT NULL,
    at BIGINT NOT NULL,
    shapes INTEGER NOT NULL,
    names TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (board, n)
  );
  CREATE INDEX IF NOT EXISTS boardcast_history_by_time ON boardcast_history (at);
  CREATE TABLE IF NOT EXISTS boardcast_assets (
    board TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data BYTEA NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (board, asset_id)
  );
`;

/** Boards of the first schema keep their edit id as their key; their ids move to board_ids. */
const MIGRATE_V1 = `
  ALTER TABLE boardcast_boards RENAME TO boardcast_boards_v1;
  ${SCHEMA}
  INSERT INTO boardcast_boards (board, created_at) SELECT edit_id, created_at FROM boardcast_boards_v1;
  INSERT INTO boardcast_board_ids (id, board, role, since)
    SELECT edit_id, edit_id, 'edit', created_at FROM boardcast_boards_v1;
  INSERT INTO boardcast_board_ids (id, board, role, since)
    SELECT view_id, edit_id, 'view', created_at FROM boardcast_boards_v1;
  DROP TABLE boardcast_boards_v1;
`;

/** Run inside a transaction. */
export async function createSchema(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
  const { rows } = await client.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
       AND table_name = 'boardcast_boards' AND column_name = 'edit_id'`,
  );
  await client.query(rows.length > 0 ? MIGRATE_V1 : SCHEMA);
}

/** The tables that hold rows of a board: every `boardcast_` table with a `board` column. */
export async function boardTables(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'board'
       AND table_name LIKE 'boardcast\\_%' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}
