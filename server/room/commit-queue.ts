/**
 * A room's write path: what the board accepts is stored before anyone sees it.
 *
 * Peers' gated updates and the server's own edits queue here, in arrival order. A peer's update
 * that finds the queue idle (nothing flushed for IDLE_COMMIT_GAP_MS) is committed at once, before
 * its socket callback returns; otherwise the queue is flushed at the end of the loop turn, so
 * that updates arriving together are committed and relayed together. A busy room (many writers
 * at once) is flushed once per tick instead (flush-pacer.ts). The queue is flushed a run
 * at a time: a run of peer updates is committed to storage in one
 * transaction and then handed to the room to apply and relay; a run of server edits is first
 * turned into updates on the server draft (server-draft.ts), then committed and handed over the
 * same way. Nothing is applied to the board, and so nothing reaches a peer, a joiner, a viewer
 * or another instance, before the storage transaction holding it has committed.
 *
 * When storage refuses a write, nothing of that run is applied: its writers are closed with
 * 1013 (they resend on reconnect), its edits are rejected, and writes are refused for
 * STORAGE_RETRY_MS before storage is tried again. The stored log is compacted into one state
 * once it passes the configured bounds, and when the board unloads.
 */
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { BoardGoneError, type BoardStore } from '../storage/board-store.ts';
import { FlushPacer } from './flush-pacer.ts';
import type { Peer } from './peer.ts';
import { QueuedStructs } from './queued-structs.ts';
import type { ServerEdit } from './server-draft.ts';
import type { GateDecoded, GateQueue } from './update-gate.ts';

/** After a failed write, refuse writes for this long before trying storage again. */
export const STORAGE_RETRY_MS = 5_000;
/**
 * A peer's update arriving this long after the last flush ended is committed at once; one that
 * follows closer waits for the end of the loop turn, to be committed with the others arriving.
 */
export const IDLE_COMMIT_GAP_MS = 1;
/** An unloading board is compacted once its log grew by this share of its compacted size… */
export const UNLOAD_COMPACT_SHARE = 0.1;
/** …or holds this many rows (each is read and applied on the next load). */
export const UNLOAD_COMPACT_UPDATES = 100;

/** A peer's update the gate accepted. */
export interface PeerWrite {
  peer: Peer;
  update: Uint8Array;
  /** As the gate decoded it; indexed in `queued` until applied. */
  decoded: GateDecoded;
  /** When it arrived (or left the held updates), on performance.now(): for the relay metric. */
  arrivedAt: number;
}

/** A server edit, made into an update and committed. */
export interface CommittedEdit {
  update: Uint8Array;
  origin: unknown;
}

export type CommittedRun =
  { kind: 'peer'; writes: PeerWrite[] } | { kind: 'server'; edits: CommittedEdit[] };

export interface ServerEditResult {
  /** False when the edit changed nothing (nothing was stored or relayed). */
  changed: boolean;
}

/** Why a server edit was not applied: storage refused it, or the room closed first. */
export class RoomWriteError extends Error {
  override name = 'RoomWriteError';
  constructor(
    readonly reason: 'storage' | 'closed',
    message: string,
  ) {
    super(message);
  }
}

interface EditRequest {
  edit: ServerEdit;
  origin: unknown;
  resolve(result: ServerEditResult): void;
  reject(error: unknown): void;
}

type Entry = { kind: 'peer'; write: PeerWrite } | { kind: 'server'; request: EditRequest };

export interface CommitQueueDeps {
  store: BoardStore;
  /** The board's internal key, for storage and logs. */
  key: string;
  /** A write found the board deleted (by another instance or the operator CLI). */
  boardGone(): void;
  log: Logger;
  metrics: Metrics;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  /** The stored log as loaded: its update count and bytes. */
  loaded: { updates: number; bytes: number };
  /** Applies a committed run to the board and relays it. */
  apply(run: CommittedRun): void;
  /** An edit's update on the server draft, null when it changes nothing; throws if the edit does. */
  generate(edit: ServerEdit, origin: unknown): Uint8Array | null;
  /** The draft holds edits that were never committed: forget it. */
  discardDraft(): void;
  /** Storage refused these writers' updates: close them (1013). */
  refuseWriters(peers: ReadonlySet<Peer>): void;
  /** The board's whole state, for compaction. */
  fullState(): Uint8Array;
}

export class CommitQueue {
  /** Structs of peer updates accepted but not applied yet: the gate resolves dependencies there. */
  readonly queued: GateQueue = new QueuedStructs();
  private pending: Entry[] = [];
  private flushScheduled = false;
  /** A busy room's next flush, due at the next tick. */
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly pacer = new FlushPacer();
  private flushing: Promise<void> | null = null;
  /** When the last flush ended (performance.now()). */
  private flushedAt = Number.NEGATIVE_INFINITY;
  private storageRetryAt = 0;
  private closed = false;
  private logUpdates: number;
  private logBytes: number;
  /** Size of the last compacted state; the byte bound for compaction grows with it. */
  private compactedBytes: number;
  private readonly relayTimers: Record<'committed' | 'sent', { observe(seconds: number): void }>;

  constructor(private readonly deps: CommitQueueDeps) {
    this.relayTimers = {
      committed: deps.metrics.relaySeconds.labels('committed'),
      sent: deps.metrics.relaySeconds.labels('sent'),
    };
    this.logUpdates = deps.loaded.updates;
    this.logBytes = deps.loaded.bytes;
    this.compactedBytes = deps.loaded.bytes;
  }

  /** True while writes are refused after a storage failure. */
  get storageFailing(): boolean {
    return Date.now() < this.storageRetryAt;
  }

  submitPeerWrite(write: PeerWrite): void {
    if (this.closed) return;
    this.pending.push({ kind: 'peer', write });
    this.queued.add(write.decoded);
    const now = performance.now();
    this.pacer.noteUpdate(now);
    if (this.flushScheduled || this.flushing) return;
    const idle = now - this.flushedAt >= IDLE_COMMIT_GAP_MS;
    if (idle && this.pacer.delayAt(now) === 0) this.startFlush();
    else this.scheduleFlush(); // at the end of the loop turn, or at the next tick when busy
  }

  submitEdit(edit: ServerEdit, origin: unknown): Promise<ServerEditResult> {
    if (this.closed) return Promise.reject(new RoomWriteError('closed', 'the board was unloaded'));
    if (this.storageFailing)
      return Promise.reject(new RoomWriteError('storage', 'storage unavailable'));
    return new Promise<ServerEditResult>((resolve, reject) => {
      this.pending.push({ kind: 'server', request: { edit, origin, resolve, reject } });
      this.scheduleFlush();
    });
  }

  /** Resolves once everything queued so far is committed and applied (or refused). */
  async whenSettled(): Promise<void> {
    while (this.flushing || this.pending.length > 0 || this.flushScheduled) {
      if (this.tickTimer) this.flushNow(); // settling: the tick is not worth waiting for
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The room is going away: queued edits are rejected, queued peer updates dropped. */
  close(): void {
    this.closed = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const entry of this.pending.splice(0)) {
      if (entry.kind === 'server')
        entry.request.reject(new RoomWriteError('closed', 'the board was unloaded'));
    }
    this.queued.clear();
  }

  /** Flushes at the end of this loop turn, or at the next tick while the room is busy. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    const delay = this.pacer.delayAt(performance.now());
    if (delay > 0) {
      this.tickTimer = setTimeout(this.onTick, delay);
      return;
    }
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlush();
    });
  }

  /** Node's timers count whole milliseconds and may fire a little early: wait out the tick. */
  private readonly onTick = () => {
    const rest = this.pacer.delayAt(performance.now());
    if (rest > 0) this.tickTimer = setTimeout(this.onTick, rest);
    else this.flushNow();
  };

  private flushNow(): void {
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    this.flushScheduled = false;
    this.startFlush();
  }

  private startFlush(): void {
    this.pacer.noteFlush(performance.now());
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      this.flushedAt = performance.now();
      // Queued between the flush's last look and now (e.g. by another microtask).
      if (this.pending.length > 0 && !this.closed) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const run = this.takeRun();
      try {
        if (run.kind === 'peer') await this.commitPeerRun(run.entries.map((e) => e.write));
        else await this.commitEditRun(run.entries.map((e) => e.request));
      } catch (error) {
        this.deps.log.error({ board: this.deps.key, err: error }, 'commit failed');
      } finally {
        // The run is applied (or dropped): keep indexing only what is still queued.
        this.queued.clear();
        for (const entry of this.pending)
          if (entry.kind === 'peer') this.queued.add(entry.write.decoded);
      }
    }
  }

  /** The longest run of entries of the first entry's kind, taken off the queue. */
  private takeRun():
    | { kind: 'peer'; entries: Extract<Entry, { kind: 'peer' }>[] }
    | { kind: 'server'; entries: Extract<Entry, { kind: 'server' }>[] } {
    const kind = (this.pending[0] as Entry).kind;
    let end = 0;
    while (end < this.pending.length && (this.pending[end] as Entry).kind === kind) end++;
    const entries = this.pending.splice(0, end);
    return kind === 'peer'
      ? { kind, entries: entries as Extract<Entry, { kind: 'peer' }>[] }
      : { kind, entries: entries as Extract<Entry, { kind: 'server' }>[] };
  }

  private async commitPeerRun(writes: PeerWrite[]): Promise<void> {
    if (!(await this.store(writes.map((write) => write.update)))) {
      if (!this.closed) this.deps.refuseWriters(new Set(writes.map((write) => write.peer)));
      return;
    }
    // The run's first write waited longest: its time is the run's.
    const arrivedAt = (writes[0] as PeerWrite).arrivedAt;
    this.relayTimers.committed.observe((performance.now() - arrivedAt) / 1000);
    this.deps.apply({ kind: 'peer', writes });
    this.relayTimers.sent.observe((performance.now() - arrivedAt) / 1000);
    await this.compactIfDue();
  }

  /**
   * Makes each edit into an update on the draft, in order, then commits them together. An edit
   * that throws is rejected, and the edits after it wait for the next run, so that each edit
   * always builds on the ones before it.
   */
  private async commitEditRun(requests: EditRequest[]): Promise<void> {
    const made: Array<{ request: EditRequest; update: Uint8Array }> = [];
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i] as EditRequest;
      let update: Uint8Array | null;
      try {
        update = this.deps.generate(request.edit, request.origin);
      } catch (error) {
        request.reject(error);
        const rest = requests.slice(i + 1).map((r) => ({ kind: 'server' as const, request: r }));
        this.pending.unshift(...rest);
        break;
      }
      if (update) made.push({ request, update });
      else request.resolve({ changed: false });
    }
    if (made.length === 0) return;
    if (!(await this.store(made.map((item) => item.update)))) {
      this.deps.discardDraft();
      for (const { request } of made)
        request.reject(new RoomWriteError('storage', 'storage unavailable'));
      return;
    }
    this.deps.apply({
      kind: 'server',
      edits: made.map(({ request, update }) => ({ update, origin: request.origin })),
    });
    for (const { request } of made) request.resolve({ changed: true });
    await this.compactIfDue();
  }

  /** Commits `updates` in one transaction; false (writes paused) when storage refused them. */
  private async store(updates: Uint8Array[]): Promise<boolean> {
    const stopTimer = this.deps.metrics.commitSeconds.startTimer();
    try {
      await this.deps.store.appendUpdates(this.deps.key, updates);
    } catch (error) {
      if (error instanceof BoardGoneError) {
        this.deps.boardGone(); // everyone is closed with 4404, and the room unloads
        this.close();
        return false;
      }
      this.storageRetryAt = Date.now() + STORAGE_RETRY_MS;
      this.deps.metrics.storageFailures.inc();
      this.deps.log.error(
        { board: this.deps.key, err: error },
        'storage write failed; updates refused',
      );
      return false;
    }
    stopTimer();
    const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    this.deps.metrics.commits.inc();
    this.deps.metrics.storedBytes.inc(bytes);
    this.logUpdates += updates.length;
    this.logBytes += bytes;
    return true;
  }

  /**
   * Replaces the log with one merged state once it passes the bounds. The byte bound grows with
   * the state itself, so a big board is not re-compacted on every commit.
   */
  private async compactIfDue(): Promise<void> {
    const byteBound = Math.max(this.deps.compactAfterBytes, 2 * this.compactedBytes);
    if (this.logUpdates <= this.deps.compactAfterUpdates && this.logBytes <= byteBound) return;
    await this.compact();
  }

  /**
   * The board is unloading (after whenSettled): updates stored since the last compaction are
   * merged into one state now, so the board rests on disk at the size of its state and its next
   * load reads one row. Not worth rewriting a big board for a few small edits: the log must have
   * grown by UNLOAD_COMPACT_SHARE of its compacted size, or hold UNLOAD_COMPACT_UPDATES rows.
   */
  async compactBeforeUnload(): Promise<void> {
    if (this.closed || this.logUpdates <= 1 || this.storageFailing) return;
    const grown = this.logBytes - this.compactedBytes;
    if (
      this.logUpdates < UNLOAD_COMPACT_UPDATES &&
      grown < UNLOAD_COMPACT_SHARE * this.compactedBytes
    )
      return;
    await this.compact();
  }

  private async compact(): Promise<void> {
    const merged = this.deps.fullState();
    try {
      await this.deps.store.replaceLog(this.deps.key, merged);
      this.logUpdates = 1;
      this.logBytes = merged.byteLength;
      this.compactedBytes = merged.byteLength;
      this.deps.metrics.compactions.inc();
    } catch (error) {
      this.deps.log.error(
        { board: this.deps.key, err: error },
        'compaction failed; the log is kept as it was',
      );
    }
  }
}
