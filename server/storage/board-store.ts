/**
 * Where boards live. SQLite by default (sqlite-store.ts), PostgreSQL in scale-out mode; the room
 * only ever sees this interface. The promise every implementation keeps: when `appendUpdates`
 * resolves, the updates are committed, so the room may relay them.
 */
export type Role = 'edit' | 'view';

export interface BoardRecord {
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

export interface BoardStore {
  /** The board whose edit id or view id is `id`, or null. */
  findBoard(id: string): Promise<BoardAccess | null>;
  /** The board with this edit id, created (with a fresh random view id) when missing. */
  ensureBoard(editId: string): Promise<BoardRecord>;
  loadLog(editId: string): Promise<StoredLog>;
  /** Commits all `updates` in one transaction; rejects when nothing was committed. */
  appendUpdates(editId: string, updates: readonly Uint8Array[]): Promise<void>;
  /**
   * Replaces the log with one merged state, atomically. A store shared by several instances
   * (postgres-store.ts) merges and replaces only the rows it has read, so appends committed
   * concurrently elsewhere survive.
   */
  replaceLog(editId: string, mergedState: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
