/**
 * Loaded boards by edit id. Concurrent joins share one load (a Map of promises); a board is
 * unloaded a grace time after its last holder leaves; a board being unloaded finishes writing
 * before it is loaded again.
 *
 * Scale-out (a replicator is given): a board subscribes to the other instances' updates before
 * its log is read, so an update published during the load is either in the log or delivered
 * (both is harmless); it unsubscribes when it unloads. On a resync it re-reads its log and
 * applies what it lacks.
 */
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { BoardAccess, BoardRecord, BoardStore } from '../storage/board-store.ts';
import type { ApplyUpdate } from './apply-update.ts';
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
  /** When a gap (an update whose dependencies never arrived) last triggered a resync. */
  gapResyncAt: number;
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
    const replica: Replica = { room: null, resyncing: false, again: false, gapResyncAt: 0 };
    await this.deps.replicator?.subscribe(board.editId, this.replicaHandlers(doc, replica));
    let log: Awaited<ReturnType<BoardStore['loadLog']>>;
    try {
      log = await this.deps.store.loadLog(board.editId);
    } catch (error) {
      this.deps.replicator?.unsubscribe(board.editId);
      throw error;
    }
    doc.transact(() => {
      for (const update of log.updates) Y.applyUpdate(doc, update);
    });
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

  /** Until the room exists, remote updates go straight into its doc (it has no peers yet). */
  private replicaHandlers(doc: Y.Doc, replica: Replica): ReplicaHandlers {
    return {
      update: (update) => {
        if (!replica.room) return Y.applyUpdate(doc, update);
        if (
          replica.room.applyRemoteUpdate(update) &&
          Date.now() - replica.gapResyncAt > RESYNC_RETRY_MS
        ) {
          replica.gapResyncAt = Date.now();
          void this.resyncOnce(replica);
        }
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
  }

  /** Applies (and relays) whatever the stored log has that the room lacks; retries while storage is down. */
  private async resync(room: Room): Promise<void> {
    while (this.current.get(room.editId) === room) {
      try {
        const log = await this.deps.store.loadLog(room.editId);
        if (log.updates.length > 0)
          room.applyRemoteUpdate(
            Y.diffUpdate(Y.mergeUpdates(log.updates), Y.encodeStateVector(room.doc)),
          );
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
