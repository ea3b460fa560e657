/**
 * Loaded boards by their internal key (board-store.ts), with their edit and view ids as aliases.
 * Concurrent joins share one load (a Map of promises); a board is unloaded a grace time after its
 * last holder leaves; a board being unloaded finishes writing before it is loaded again.
 *
 * Resetting a link or deleting a board (`rotate`, `delete`) commits to storage first, then
 * re-reads the board's ids (`refresh`): the room closes whatever came by an id it no longer has
 * (4404), and a deleted board is dropped at once. Other instances hear of it through the
 * replicator and re-read the same way; a room also re-reads its ids right after it loads, so a
 * reset committed while it was loading is not missed. A join holds its room and, in the same
 * tick as it joins, checks that its id is still one of the room's (`Room.roleOf`), so a join
 * racing a reset either is closed by it or sees the new ids.
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
import {
  BoardGoneError,
  type BoardAccess,
  type BoardRecord,
  type BoardStore,
  type Role,
} from '../storage/board-store.ts';
import { applyYjsUpdate, type ApplyUpdate } from './apply-update.ts';
import type { HeldLimits } from './held-updates.ts';
import type { PresencePacing } from './room-presence.ts';
import { Room } from './room.ts';
import type { ReplicaHandlers, RoomReplicator } from './room-replicator.ts';
import { trimItemContent } from './trim-items.ts';

/** A failed resync (storage down) is tried again after this long while the room is loaded. */
const RESYNC_RETRY_MS = 1_000;

/** A loading or loaded board's link to its replicas. */
interface Replica {
  room: Room | null;
  /** The resync running now (it runs again when `again` is set meanwhile), or null. */
  resyncing: Promise<void> | null;
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
  /** Called with each room once loaded, before anyone joins it (board history subscribes). */
  onRoomLoaded?(room: Room): void;
}

/** A held room; call `release` exactly when done. */
export interface RoomLease {
  room: Room;
  release(): void;
}

export class RoomRegistry {
  /** Everything below is keyed by the board's internal key. */
  private readonly rooms = new Map<string, Promise<Room>>();
  /** The room each entry of `rooms` resolved to, so a stale unload never drops a newer load. */
  private readonly current = new Map<string, Room>();
  /** Key by edit id and by view id, for the loaded boards. */
  private readonly aliases = new Map<string, string>();
  private readonly replicas = new Map<string, Replica>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: RegistryDeps) {}

  /**
   * How `id` reaches a board: its edit id or its view id. With `create`, an id that names no
   * board becomes the edit id of a new one; without, it resolves to null (reading never creates).
   */
  async resolve(id: string, create: boolean): Promise<BoardAccess | null> {
    // A loaded board answers without storage, so joins keep working while the database is down.
    const loaded = this.current.get(this.aliases.get(id) ?? '');
    const role = loaded?.roleOf(id);
    if (loaded && role) return { board: loaded.board, role };
    const found = await this.deps.store.findBoard(id);
    if (found || !create) return found;
    const created = await this.deps.store.ensureBoard(id);
    return created ? { board: created, role: 'edit' } : null; // null: a retired id
  }

  /**
   * Resets the board's edit or view id: stored, then every peer and viewer here that came by the
   * old id is closed (4404) before this resolves, and the other instances are told. Null when
   * the board was deleted meanwhile.
   */
  async rotate(key: string, which: Role): Promise<BoardRecord | null> {
    const board = await this.deps.store.rotateId(key, which);
    this.deps.replicator?.announceChange(key);
    await this.refresh(key);
    return board;
  }

  /** Deletes the board from storage, then closes everything on it (4404), here and elsewhere. */
  async delete(key: string): Promise<boolean> {
    const deleted = await this.deps.store.deleteBoard(key);
    this.deps.replicator?.announceChange(key);
    await this.refresh(key);
    return deleted;
  }

  /** Re-reads a loaded (or loading) board's ids from storage and applies them (see the top). */
  async refresh(key: string): Promise<void> {
    const loading = this.rooms.get(key);
    if (!loading) return;
    await loading.catch(() => undefined);
    const replica = this.replicas.get(key);
    if (replica) await this.resyncOnce(replica);
  }

  /** Loads (or shares the load of) the board and holds it. */
  async acquire(board: BoardRecord): Promise<RoomLease> {
    let loading = this.rooms.get(board.key);
    if (!loading) {
      loading = this.load(board);
      this.rooms.set(board.key, loading);
      loading.catch(() => this.rooms.delete(board.key));
    }
    const room = await loading;
    this.cancelUnload(board.key);
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
    const { key } = board;
    await this.unloading.get(key);
    const doc = new Y.Doc({ gc: true });
    const replica: Replica = { room: null, resyncing: null, again: false, askedFor: null };
    this.replicas.set(key, replica);
    await this.deps.replicator?.subscribe(key, this.replicaHandlers(key, doc, replica));
    let log: Awaited<ReturnType<BoardStore['loadLog']>>;
    let fresh: BoardRecord | null;
    let phaseStart = performance.now();
    const phaseDone = (phase: 'read' | 'apply' | 'trim' | 'check') => {
      const now = performance.now();
      this.deps.metrics.loadSeconds.observe({ phase }, (now - phaseStart) / 1_000);
      phaseStart = now;
    };
    try {
      // Read after subscribing: a reset or delete committed later is announced to us.
      fresh = await this.deps.store.boardByKey(key);
      log = await this.deps.store.loadLog(key);
      phaseDone('read');
    } catch (error) {
      this.dropReplica(key, replica);
      throw error;
    }
    if (!fresh) {
      this.dropReplica(key, replica);
      throw new BoardGoneError(key);
    }
    this.applyStoredLog(fresh.editId, doc, log.updates);
    phaseDone('apply');
    trimItemContent(doc);
    phaseDone('trim');
    const loaded = { updates: log.updates.length, bytes: log.bytes };
    const room = new Room(fresh, doc, loaded, {
      ...this.deps,
      onIdle: (idle) => this.scheduleUnload(idle),
      onGone: () => void this.resyncOnce(replica),
    });
    phaseDone('check'); // the room checks every shape as it is created
    replica.room = room;
    this.deps.onRoomLoaded?.(room);
    this.current.set(key, room);
    this.setAliases(room, null);
    if (replica.again) void this.resyncOnce(replica); // asked for while loading
    this.deps.replicator?.queryPresence(key);
    this.deps.metrics.boardsLoaded.inc();
    this.deps.log.debug(
      { board: fresh.editId, updates: log.updates.length, bytes: log.bytes },
      'board loaded',
    );
    return room;
  }

  /**
   * Applies a stored log: a board always loads. Whatever the log leaves waiting for something it
   * does not hold is dropped: storage holds everything ever committed, so it can never apply
   * (and Yjs would hand it to every joiner).
   */
  private applyStoredLog(board: string, doc: Y.Doc, updates: readonly Uint8Array[]): void {
    this.applyEach(board, doc, updates);
    if (doc.store.pendingStructs || doc.store.pendingDs) {
      this.deps.log.warn({ board }, 'stored updates wait for items the log does not hold; dropped');
      doc.store.pendingStructs = null;
      doc.store.pendingDs = null;
    }
  }

  /** Applies updates one by one: one that throws is skipped and reported. */
  private applyEach(board: string, doc: Y.Doc, updates: readonly Uint8Array[]): void {
    const apply = this.deps.applyUpdate ?? applyYjsUpdate;
    let skipped = 0;
    doc.transact(() => {
      for (const update of updates) {
        try {
          apply(doc, update);
        } catch (error) {
          skipped++;
          this.deps.log.error({ board, err: error }, 'stored update failed to apply; skipped');
        }
      }
    });
    if (skipped > 0) this.deps.metrics.applyFailures.inc({ where: 'load' }, skipped);
  }

  private dropReplica(key: string, replica: Replica): void {
    if (this.replicas.get(key) !== replica) return;
    this.replicas.delete(key);
    this.deps.replicator?.unsubscribe(key);
  }

  /** Points the room's current ids at its key (and forgets `previous` ones it no longer has). */
  private setAliases(room: Room, previous: BoardRecord | null): void {
    for (const id of [previous?.editId, previous?.viewId])
      if (id && this.aliases.get(id) === room.key && !room.roleOf(id)) this.aliases.delete(id);
    this.aliases.set(room.board.editId, room.key);
    this.aliases.set(room.board.viewId, room.key);
  }

  /** Until the room exists, remote updates go straight into its doc (it has no peers yet). */
  private replicaHandlers(key: string, doc: Y.Doc, replica: Replica): ReplicaHandlers {
    return {
      update: (update) => {
        if (!replica.room) return this.applyEach(key, doc, [update]);
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

  /**
   * One resync at a time per room; a request during one runs another right after it. Resolves
   * once a resync that started after the call has finished (a loading room runs it after load).
   */
  private resyncOnce(replica: Replica): Promise<void> {
    if (!replica.room || replica.resyncing) {
      replica.again = true;
      return replica.resyncing ?? Promise.resolve();
    }
    const room = replica.room;
    replica.resyncing = (async () => {
      do {
        replica.again = false;
        await this.resync(room);
      } while (replica.again);
      replica.resyncing = null;
      if (pendingSignature(room.doc) !== null)
        this.deps.log.warn(
          { board: room.editId },
          'board waits for items storage does not hold; not re-reading for them again',
        );
    })();
    return replica.resyncing;
  }

  /**
   * Re-reads the board's ids (closing what used ids it lost; dropping it once deleted), then
   * applies (and relays) whatever the stored log has that the room lacks. Retries while storage
   * is down.
   */
  private async resync(room: Room): Promise<void> {
    while (this.current.get(room.key) === room) {
      try {
        const board = await this.deps.store.boardByKey(room.key);
        if (this.current.get(room.key) !== room) return;
        if (!board) return this.drop(room);
        const previous = room.board;
        room.changeIds(board);
        this.setAliases(room, previous);
        const log = await this.deps.store.loadLog(room.key);
        this.deps.metrics.resyncs.inc();
        applyMissing(room, log.updates);
        return;
      } catch (error) {
        this.deps.log.warn({ board: room.editId, err: error }, 'resync failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RESYNC_RETRY_MS).unref());
      }
    }
  }

  /** The board was deleted: close everyone on it (4404) and unload it now, without a grace. */
  private drop(room: Room): void {
    this.deps.log.info({ board: room.editId }, 'board deleted; closing its connections');
    room.changeIds(null);
    this.cancelUnload(room.key);
    void this.unload(room);
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room.key);
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.key);
      if (!room.isHeld) void this.unload(room);
    }, this.deps.graceMs);
    timer.unref();
    this.unloadTimers.set(room.key, timer);
  }

  private cancelUnload(key: string): void {
    const timer = this.unloadTimers.get(key);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(key);
  }

  private unload(room: Room): Promise<void> {
    const { key } = room;
    const existing = this.unloading.get(key);
    if (existing) return existing;
    if (this.current.get(key) !== room) return Promise.resolve();
    this.rooms.delete(key);
    this.current.delete(key);
    for (const id of [room.board.editId, room.board.viewId])
      if (this.aliases.get(id) === key) this.aliases.delete(id);
    const replica = this.replicas.get(key);
    const done = room
      .whenSettled()
      .then(() => room.compactBeforeUnload())
      .catch((error: unknown) =>
        this.deps.log.error({ board: room.editId, err: error }, 'flush before unload failed'),
      )
      .finally(() => {
        if (replica) this.dropReplica(key, replica);
        room.destroy();
        this.unloading.delete(key);
        this.deps.metrics.boardsLoaded.dec();
        this.deps.log.debug({ board: room.editId }, 'board unloaded');
      });
    this.unloading.set(key, done);
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
