/**
 * Loaded boards by edit id. Concurrent joins share one load (a Map of promises); a board is
 * unloaded a grace time after its last holder leaves; a board being unloaded finishes writing
 * before it is loaded again.
 *
 * Scale-out (a replicator is given): a board subscribes to the other instances' updates before
 * its log is read, so an update published during the load is either in the log or delivered
 * (both is harmless); it unsubscribes when it unloads. On a resync it re-reads its log and
 * applies what it lacks. A remote update that leaves the board waiting for something (a gap:
 * a message was missed) triggers one resync; what storage cannot resolve either is remembered,
 * so the same unresolvable part never triggers another (no re-read storm).
 *
 * A board always loads: a stored update that throws is skipped (logged, counted), and whatever
 * the log leaves waiting for something it does not hold is dropped (logged): it can never apply.
 */
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { BoardAccess, BoardRecord, BoardStore } from '../storage/board-store.ts';
import { applyYjsUpdate, type ApplyUpdate } from './apply-update.ts';
import type { HeldLimits } from './held-updates.ts';
import type { PresencePacing } from './room-presence.ts';
import { Room } from './room.ts';
import type { ReplicaHandlers, RoomReplicator } from './room-replicator.ts';

/** A failed resync (storage down) is tried again after this long while the room is loaded. */
const RESYNC_RETRY_MS = 1_000;

/** A loading or loaded board's link to its replicas. */
interface Replica {
  room: Room | null;
  resyncing: boolean;
  again: boolean;
  /**
   * What the board waited for (pendingSignature) when a gap last asked for a resync: the same
   * wait never asks again, so what storage cannot resolve costs one re-read, not one per update.
   */
  askedFor: string | null;
}

export interface RegistryDeps {
  store: BoardStore;
  log: Logger;
  metrics: Metrics;
  graceMs: number;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  replicator?: RoomReplicator | null;
  presencePacing?: PresencePacing;
  /** How updates are applied (Y.applyUpdate; a test may inject a failure). */
  applyUpdate?: ApplyUpdate;
  held?: HeldLimits;
  incompleteShapeGraceMs?: number;
}

/** A held room; call `release` exactly when done. */
export interface RoomLease {
  room: Room;
  release(): void;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Promise<Room>>();
  /** The room each entry of `rooms` resolved to, so a stale unload never drops a newer load. */
  private readonly current = new Map<string, Room>();
  /** Edit id by view id, for the loaded boards. */
  private readonly viewIds = new Map<string, string>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: RegistryDeps) {}

  /**
   * How `id` reaches a board: its edit id or its view id. With `create`, an id that names no
   * board becomes the edit id of a new one; without, it resolves to null (reading never creates).
   */
  async resolve(id: string, create: boolean): Promise<BoardAccess | null> {
    // A loaded board answers without storage, so joins keep working while the database is down.
    const loaded = this.current.get(id) ?? this.current.get(this.viewIds.get(id) ?? '');
    if (loaded) return { board: loaded.board, role: loaded.editId === id ? 'edit' : 'view' };
    const found = await this.deps.store.findBoard(id);
    if (found || !create) return found;
    return { board: await this.deps.store.ensureBoard(id), role: 'edit' };
  }

  /** Loads (or shares the load of) the board and holds it. */
  async acquire(board: BoardRecord): Promise<RoomLease> {
    let loading = this.rooms.get(board.editId);
    if (!loading) {
      loading = this.load(board);
      this.rooms.set(board.editId, loading);
      loading.catch(() => this.rooms.delete(board.editId));
    }
    const room = await loading;
    this.cancelUnload(board.editId);
    return { room, release: room.retain() };
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  /** Every loaded room (for shutdown and metrics). */
  async loadedRooms(): Promise<Room[]> {
    const settled = await Promise.allSettled(this.rooms.values());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /** Waits for every room's writes, then unloads them all (shutdown). */
  async unloadAll(): Promise<void> {
    for (const timer of this.unloadTimers.values()) clearTimeout(timer);
    this.unloadTimers.clear();
    const rooms = await this.loadedRooms();
    await Promise.all(rooms.map((room) => this.unload(room)));
    await Promise.all(this.unloading.values());
  }

  private async load(board: BoardRecord): Promise<Room> {
    await this.unloading.get(board.editId);
    const doc = new Y.Doc({ gc: true });
    const replica: Replica = { room: null, resyncing: false, again: false, askedFor: null };
    await this.deps.replicator?.subscribe(
      board.editId,
      this.replicaHandlers(board.editId, doc, replica),
    );
    let log: Awaited<ReturnType<BoardStore['loadLog']>>;
    try {
      log = await this.deps.store.loadLog(board.editId);
    } catch (error) {
      this.deps.replicator?.unsubscribe(board.editId);
      throw error;
    }
    this.applyStoredLog(board.editId, doc, log.updates);
    const loaded = { updates: log.updates.length, bytes: log.bytes };
    const room = new Room(board, doc, loaded, {
      ...this.deps,
      onIdle: (idle) => this.scheduleUnload(idle),
    });
    replica.room = room;
    this.current.set(board.editId, room);
    this.viewIds.set(board.viewId, board.editId);
    if (replica.again) void this.resyncOnce(replica); // asked for while loading
    this.deps.replicator?.queryPresence(board.editId);
    this.deps.metrics.boardsLoaded.inc();
    this.deps.log.debug(
      { board: board.editId, updates: log.updates.length, bytes: log.bytes },
      'board loaded',
    );
    return room;
  }

  /**
   * Applies a stored log: a board always loads. Whatever the log leaves waiting for something it
   * does not hold is dropped: storage holds everything ever committed, so it can never apply
   * (and Yjs would hand it to every joiner).
   */
  private applyStoredLog(editId: string, doc: Y.Doc, updates: readonly Uint8Array[]): void {
    this.applyEach(editId, doc, updates);
    if (doc.store.pendingStructs || doc.store.pendingDs) {
      this.deps.log.warn(
        { board: editId },
        'stored updates wait for items the log does not hold; dropped',
      );
      doc.store.pendingStructs = null;
      doc.store.pendingDs = null;
    }
  }

  /** Applies updates one by one: one that throws is skipped and reported. */
  private applyEach(editId: string, doc: Y.Doc, updates: readonly Uint8Array[]): void {
    const apply = this.deps.applyUpdate ?? applyYjsUpdate;
    let skipped = 0;
    doc.transact(() => {
      for (const update of updates) {
        try {
          apply(doc, update);
        } catch (error) {
          skipped++;
          this.deps.log.error(
            { board: editId, err: error },
            'stored update failed to apply; skipped',
          );
        }
      }
    });
    if (skipped > 0) this.deps.metrics.applyFailures.inc({ where: 'load' }, skipped);
  }

  /** Until the room exists, remote updates go straight into its doc (it has no peers yet). */
  private replicaHandlers(editId: string, doc: Y.Doc, replica: Replica): ReplicaHandlers {
    return {
      update: (update) => {
        if (!replica.room) return this.applyEach(editId, doc, [update]);
        if (!replica.room.applyRemoteUpdate(update)) return;
        const waitingFor = pendingSignature(replica.room.doc);
        if (waitingFor === replica.askedFor) return;
        replica.askedFor = waitingFor;
        void this.resyncOnce(replica);
      },
      presence: (frame) => replica.room?.relayRemotePresence(frame),
      presenceQuery: () => replica.room?.publishOwnPresence(),
      resync: () => void this.resyncOnce(replica),
    };
  }

  /** One resync at a time per room; a request during one runs another right after it. */
  private async resyncOnce(replica: Replica): Promise<void> {
    if (!replica.room || replica.resyncing) {
      replica.again = true;
      return;
    }
    replica.resyncing = true;
    do {
      replica.again = false;
      await this.resync(replica.room);
    } while (replica.again);
    replica.resyncing = false;
    if (pendingSignature(replica.room.doc) !== null)
      this.deps.log.warn(
        { board: replica.room.editId },
        'board waits for items storage does not hold; not re-reading for them again',
      );
  }

  /** Applies (and relays) whatever the stored log has that the room lacks; retries while storage is down. */
  private async resync(room: Room): Promise<void> {
    while (this.current.get(room.editId) === room) {
      try {
        const log = await this.deps.store.loadLog(room.editId);
        this.deps.metrics.resyncs.inc();
        applyMissing(room, log.updates);
        return;
      } catch (error) {
        this.deps.log.warn({ board: room.editId, err: error }, 'resync failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RESYNC_RETRY_MS).unref());
      }
    }
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room.editId);
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.editId);
      if (!room.isHeld) void this.unload(room);
    }, this.deps.graceMs);
    timer.unref();
    this.unloadTimers.set(room.editId, timer);
  }

  private cancelUnload(editId: string): void {
    const timer = this.unloadTimers.get(editId);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(editId);
  }

  private unload(room: Room): Promise<void> {
    const existing = this.unloading.get(room.editId);
    if (existing) return existing;
    if (this.current.get(room.editId) !== room) return Promise.resolve();
    this.rooms.delete(room.editId);
    this.current.delete(room.editId);
    this.viewIds.delete(room.board.viewId);
    const done = room
      .whenSettled()
      .catch((error: unknown) =>
        this.deps.log.error({ board: room.editId, err: error }, 'flush before unload failed'),
      )
      .finally(() => {
        this.deps.replicator?.unsubscribe(room.editId);
        room.destroy();
        this.unloading.delete(room.editId);
        this.deps.metrics.boardsLoaded.dec();
        this.deps.log.debug({ board: room.editId }, 'board unloaded');
      });
    this.unloading.set(room.editId, done);
    return done;
  }
}

/** Applies what `updates` (a stored log) hold that the room lacks, merged; one by one if that fails. */
function applyMissing(room: Room, updates: readonly Uint8Array[]): void {
  if (updates.length === 0) return;
  let missing: Uint8Array;
  try {
    missing = Y.diffUpdate(Y.mergeUpdates([...updates]), Y.encodeStateVector(room.doc));
  } catch {
    for (const update of updates) room.applyRemoteUpdate(update); // each is applied safely
    return;
  }
  room.applyRemoteUpdate(missing);
}

/** What the doc waits for (pending structs and deletes), as a comparable string; null if nothing. */
function pendingSignature(doc: Y.Doc): string | null {
  const { pendingStructs, pendingDs } = doc.store;
  if (!pendingStructs && !pendingDs) return null;
  const missing = pendingStructs ? [...pendingStructs.missing].sort((a, b) => a[0] - b[0]) : [];
  return JSON.stringify([
    missing,
    pendingStructs?.update.byteLength ?? 0,
    pendingDs?.byteLength ?? 0,
  ]);
}
