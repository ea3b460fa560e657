/**
 * The SQLite schema, and the migration from the first one (boards keyed by their edit id).
 *
 *   boards    (board PK, created_at)                  one row per board; `board` is its key
 *   board_ids (id PK, board, role, since)             edit, view and retired ids: aliases of the key
 *   updates   (seq PK, board, data, at)               the board's Yjs log
 *   history   (board, n PK, at, shapes, names, data)  checkpoints (history-store.ts)
 *   assets    ((board, asset_id) PK, type, data, at)  its images, by the SHA-256 of their bytes
 *
 * Every per-board table names the key `board` (board-store.ts: `deleteBoard` finds them by it).
 */
import type Database from 'better-sqlite3';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS boards (
    board TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS board_ids (
    id TEXT PRIMARY KEY,
    board TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('edit', 'view', 'retired')),
    since INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS board_ids_by_board ON board_ids (board, role);
  CREATE TABLE IF NOT EXISTS updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    board TEXT NOT NULL,
    data BLOB NOT NULL,
    at INTEGER
  );
  CREATE INDEX IF NOT EXISTS updates_by_board ON updates (board, seq);
  CREATE TABLE IF NOT EXISTS history (
    board TEXT NOT NULL,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    shapes INTEGER NOT NULL,
    names TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (board, n)
  );
  CREATE INDEX IF NOT EXISTS history_by_time ON history (at);
  CREATE TABLE IF NOT EXISTS assets (
    board TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data BLOB NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (board, asset_id)
  );
`;

function columnsOf(db: Database.Database, table: string): string[] {
  return db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
    .all(table)
    .map((row) => row.name);
}

/**
 * Creates the tables, migrating a first-version file in one transaction: each board keeps its
 * edit id as its key (so its log rows stay where they are), and its two ids move to `board_ids`.
 * `updates.at` stays null on old rows; their board's creation time stands in for it.
 */
export function createSchema(db: Database.Database): void {
  db.transaction(() => {
    const legacy = columnsOf(db, 'boards').includes('edit_id');
    if (legacy) db.exec('ALTER TABLE boards RENAME TO boards_v1');
    const updateColumns = columnsOf(db, 'updates');
    if (updateColumns.length > 0 && !updateColumns.includes('at'))
      db.exec('ALTER TABLE updates ADD COLUMN at INTEGER');
    db.exec(SCHEMA);
    if (!legacy) return;
    db.exec(`
      INSERT INTO boards (board, created_at) SELECT edit_id, created_at FROM boards_v1;
      INSERT INTO board_ids (id, board, role, since)
        SELECT edit_id, edit_id, 'edit', created_at FROM boards_v1;
      INSERT INTO board_ids (id, board, role, since)
        SELECT view_id, edit_id, 'view', created_at FROM boards_v1;
      DROP TABLE boards_v1;
    `);
  })();
}

/** The tables that hold rows of a board: every one with a `board` column. */
export function boardTables(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      `SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p
       WHERE m.type = 'table' AND p.name = 'board' ORDER BY m.name`,
    )
    .all()
    .map((row) => row.name);
}
