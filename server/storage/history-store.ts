/**
 * Board history in storage (server/history/): checkpoints, each the board's whole merged Yjs
 * state at one moment, numbered 1, 2, 3… per board. Rows are keyed by the board's internal key
 * in a table with a `board` column, so deleting the board deletes its history (board-store.ts).
 * A checkpoint is self-contained: compacting the board's update log never touches it.
 */
export interface CheckpointSummary {
  /** 1, 2, 3… per board, in the order they were taken. */
  n: number;
  /** When it was taken, ms since the epoch. */
  at: number;
  /** Valid shapes on the board then. */
  shapes: number;
  /** Who was on the board (presence names) while the changes it closes were made. */
  names: string[];
  /** Bytes of its stored state. */
  bytes: number;
}

export interface NewCheckpoint {
  at: number;
  state: Uint8Array;
  shapes: number;
  names: readonly string[];
}

export interface HistoryStore {
  /** Stores a checkpoint; resolves with its number, or null once the board is deleted. */
  add(key: string, checkpoint: NewCheckpoint): Promise<number | null>;
  /** The board's checkpoints, newest first. */
  list(key: string): Promise<CheckpointSummary[]>;
  /** One checkpoint's state, or null when there is no such checkpoint. */
  load(key: string, n: number): Promise<Uint8Array | null>;
  /** Deletes every checkpoint (of every board) taken before `before` (ms); resolves with how many. */
  prune(before: number): Promise<number>;
}

/** Names are kept short and few: they come from presence, which any editor sets. */
export const MAX_CHECKPOINT_NAMES = 20;
export const MAX_CHECKPOINT_NAME_LENGTH = 64;

/** The names as stored: trimmed, cut, de-duplicated and bounded. */
export function storedNames(names: Iterable<string>): string[] {
  const kept = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().slice(0, MAX_CHECKPOINT_NAME_LENGTH);
    if (name) kept.add(name);
    if (kept.size >= MAX_CHECKPOINT_NAMES) break;
  }
  return [...kept].sort();
}

/** Names as read back: a row that does not parse reads as none. */
export function parseNames(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((name) => typeof name === 'string') : [];
  } catch {
    return [];
  }
}
