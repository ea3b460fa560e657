/**
 * Where boards live. SQLite by default (sqlite-store.ts), PostgreSQL in scale-out mode; the room
 * only ever sees this interface. The promise every implementation keeps: when `appendUpdates`
 * resolves, the updates are committed, so the room may relay them.
 *
 * Keys and ids. Every board has a stable internal `key` that never leaves the server (no HTTP
 * answer, no export file carries it): every stored row of a board (its log, its history, its
 * assets) and its Redis channel are keyed by it. Its edit id and view id are aliases of the key,
 * in one table of ids. We chose this over re-keying rows when a link is reset because a reset is
 * then one small transaction on the ids table alone, whatever other tables hold: nothing has to
 * be moved, and an instance that has the board loaded, or is appending to it at that moment,
 * keeps writing under the same key, so no row can land under a name that just stopped existing.
 * A reset id stays in the ids table as `retired` (a tombstone), so it answers 404 for ever and
 * is never taken by a new board; deleting the board removes all of its ids, so a name such as
 * `team-retro` can then be used again. Ids are unique across live and retired ones, so a view id
 * can never equal an edit id. Boards made before keys existed got their edit id as their key.
 *
 * Every table holding a board's rows has a `board` column with the key, so `deleteBoard` finds
 * them all by that column: a table added later is deleted with the board without code of its own.
 */
import type { HistoryStore } from './history-store.ts';

export type Role = 'edit' | 'view';

export interface BoardRecord {
  /** The internal key: storage rows and Redis channels. Never sent to a client. */
  key: string;
  editId: string;
  viewId: string;
}

/** How a caller reached a board: by its edit id or its view id. */
export interface BoardAccess {
  board: BoardRecord;
  role: Role;
}

export interface StoredLog {
  /** Updates in the order they were committed (the first may be a compacted state). */
  updates: Uint8Array[];
  /** Total bytes of `updates`. */
  bytes: number;
}

/** One board as the operator CLI lists it. */
export interface BoardSummary extends BoardRecord {
  /** ms since the epoch. */
  createdAt: number;
  /** The last committed update (or the creation), ms since the epoch. */
  lastChangeAt: number;
  /** Rows in its log, and their bytes. */
  updates: number;
  bytes: number;
}

/** The ids a board is created with (an import that keeps them); null: new random ones. */
export interface BoardIds {
  editId: string;
  viewId: string;
}

/** An image stored with a board (contract: "Board assets"). */
export interface StoredAsset {
  /** Lowercase hex SHA-256 of `data`. */
  assetId: string;
  /** Its MIME type, as recognised from the bytes (common/board/asset-format.ts). */
  type: string;
  data: Uint8Array;
}

/** Thrown by writes to a board that was deleted meanwhile (by another instance or the CLI). */
export class BoardGoneError extends Error {
  override name = 'BoardGoneError';
  constructor(key: string) {
    super(`board ${key} was deleted`);
  }
}

export interface BoardStore {
  /** The board whose live edit id or view id is `id`, or null (unknown, or a retired id). */
  findBoard(id: string): Promise<BoardAccess | null>;
  /** Whether `id` is a link that was reset (a tombstone). */
  isRetired(id: string): Promise<boolean>;
  /**
   * The board with this edit id, created (with a fresh random view id) when the id is free.
   * Null when the id is taken as a view id or retired: it never becomes a board.
   */
  ensureBoard(editId: string): Promise<BoardRecord | null>;
  /**
   * A new board with `ids` (null: random ones) and, when given, `state` as its whole log and
   * `assets` as its assets, in one transaction. Null when an id is already taken or retired.
   */
  createBoard(
    ids: BoardIds | null,
    state: Uint8Array | null,
    assets?: readonly StoredAsset[],
  ): Promise<BoardRecord | null>;
  /** The board's current ids, or null once it is deleted. */
  boardByKey(key: string): Promise<BoardRecord | null>;
  loadLog(key: string): Promise<StoredLog>;
  /**
   * Commits all `updates` in one transaction; rejects when nothing was committed (with
   * BoardGoneError when the board no longer exists).
   */
  appendUpdates(key: string, updates: readonly Uint8Array[]): Promise<void>;
  /**
   * Replaces the log with one merged state, atomically. A store shared by several instances
   * (postgres-store.ts) merges and replaces only the rows it has read, so appends committed
   * concurrently elsewhere survive. A no-op once the board is deleted.
   */
  replaceLog(key: string, mergedState: Uint8Array): Promise<void>;
  /**
   * Stores an asset of the board; true when it is new, false when the board already had it (an
   * asset id is its content's hash, so the bytes are the same). BoardGoneError once deleted.
   */
  putAsset(key: string, asset: StoredAsset): Promise<boolean>;
  /** One asset of the board, or null. */
  getAsset(key: string, assetId: string): Promise<StoredAsset | null>;
  /** Every asset of the board (for export), oldest first. */
  listAssets(key: string): Promise<StoredAsset[]>;
  /** Retires the board's edit or view id and gives it a new random one; null once deleted. */
  rotateId(key: string, which: Role): Promise<BoardRecord | null>;
  /** Removes every row keyed by the board, in every table, and its ids; false if it was gone. */
  deleteBoard(key: string): Promise<boolean>;
  /** Every board, oldest first. */
  listBoards(): Promise<BoardSummary[]>;
  /** The boards' checkpoints (board history). */
  readonly history: HistoryStore;
  close(): Promise<void>;
}
