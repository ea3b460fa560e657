/**
 * Board history: while a board is edited, a checkpoint (its whole merged state) is stored at most
 * once per HISTORY_INTERVAL_MS of activity, with the shape count and the names of the people
 * present while the changes were made; checkpoints older than HISTORY_DAYS are pruned. Storage:
 * history-store.ts (SQLite or PostgreSQL), keyed by the board's internal key.
 *
 * One recorder per loaded room (a room subscriber). The first change after a checkpoint opens an
 * interval; when it ends, the board as it is then is stored. An interval still open when the
 * room unloads (idle, or the server stopping) is stored right away, so no activity is left
 * without its checkpoint. A checkpoint is a self-contained state in its own table: compacting
 * the board's update log cannot lose it. States are stored gzipped (checkpoint-codec.ts). Changes relayed from another instance are that
 * instance's to record (scale-out), so two instances with editors on one board may both store
 * checkpoints of it.
 */
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.ts';
import type { Room } from '../room/room.ts';
import type { ShapesChange } from '../room/room-events.ts';
import type { BoardStore } from '../storage/board-store.ts';

export interface HistoryOptions {
  /** Activity covered by one checkpoint at most (HISTORY_INTERVAL_MS). */
  intervalMs: number;
  /** Checkpoints older than this many days are deleted (HISTORY_DAYS). */
  keepDays: number;
}

const DAY_MS = 86_400_000;

export class BoardHistory {
  /** Checkpoint writes under way, so shutdown can wait for them before storage closes. */
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly store: BoardStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    readonly options: HistoryOptions,
  ) {}

  /** Starts recording a room just loaded; it stops by itself when the room closes. */
  watch(room: Room): void {
    const recorder = new HistoryRecorder(room, this.options.intervalMs, (names) =>
      this.checkpoint(room, names),
    );
    const unsubscribe = room.subscribe({
      shapesChanged: (change) => recorder.changed(change),
      roomClosed: () => {
        unsubscribe();
        recorder.close();
      },
    });
  }

  /** Checkpoint `n` of the board with this key, as a Yjs state; null when there is none. */
  async load(key: string, n: number): Promise<Uint8Array | null> {
    const stored = await this.store.history.load(key, n);
    return stored ? decodeCheckpoint(stored) : null;
  }

  /** Resolves once every checkpoint started so far is stored (or failed). */
  async whenIdle(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  /** Stores the room's board as it is now (read synchronously: the room may be closing). */
  private checkpoint(room: Room, names: readonly string[]): void {
    const key = room.key;
    const at = Date.now();
    const checkpoint = { at, state: room.fullState(), shapes: room.readShapes().length, names };
    const write = (async () => {
      const state = await encodeCheckpoint(checkpoint.state);
      const n = await this.store.history.add(key, { ...checkpoint, state });
      await this.store.history.prune(at - this.options.keepDays * DAY_MS);
      this.metrics.historyCheckpoints.inc({ outcome: 'stored' });
      this.metrics.historyBytes.inc(state.byteLength);
      this.log.debug({ board: key, n, bytes: state.byteLength }, 'history checkpoint');
    })()
      .catch((error: unknown) => {
        this.metrics.historyCheckpoints.inc({ outcome: 'failed' });
        this.log.error({ board: key, err: error }, 'history checkpoint failed');
      })
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }
}

/** One room's open interval: when it started, and who was present during it. */
class HistoryRecorder {
  private timer: NodeJS.Timeout | null = null;
  private readonly names = new Set<string>();

  constructor(
    private readonly room: Room,
    private readonly intervalMs: number,
    private readonly store: (names: readonly string[]) => void,
  ) {}

  changed(change: ShapesChange): void {
    if (change.source === 'replica') return;
    for (const name of this.room.presence.names()) this.names.add(name);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** The room is unloading: an open interval is stored now. */
  close(): void {
    if (this.timer) this.flush();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const names = [...this.names];
    this.names.clear();
    this.store(names);
  }
}
