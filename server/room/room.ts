/**
 * One loaded board: its Yjs document, its peers and its presence.
 *
 * Updates from peers arrive already checked by the update gate. They are queued, and once per
 * tick the whole batch is committed in one storage transaction, then applied to the document and
 * relayed as one frame: to everyone but the writer when there was one writer, to everyone when
 * there were several (an echo is harmless to Yjs, and it keeps the encoding to once per tick).
 * Nothing is applied or relayed before it is stored. The encoded full state is cached so that
 * many joins of a big board encode it once.
 */
import * as Y from 'yjs';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import {
  BoardGoneError,
  type BoardRecord,
  type BoardStore,
  type Role,
} from '../storage/board-store.ts';
import type { AwarenessEntry } from './awareness-decode.ts';
import { QueuedStructs } from './queued-structs.ts';
import type { GateDecoded, GateQueue } from './update-gate.ts';
import { encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from './sync-frames.ts';
import type { Peer } from './peer.ts';
import type { RoomReplicator } from './room-replicator.ts';
import { RoomPresence, type PresencePacing, type PresenceVerdict } from './room-presence.ts';

/** After a failed write, refuse updates for this long before trying storage again. */
export const STORAGE_RETRY_MS = 5_000;
/** The transaction origin of updates that came from another instance. */
export const REMOTE_ORIGIN = 'replica';

export interface RoomDeps {
  store: BoardStore;
  log: Logger;
  metrics: Metrics;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  /** Scale-out: shares accepted updates and presence with the other instances. */
  replicator?: RoomReplicator | null;
  /** How presence is coalesced as the room grows; per tick when absent. */
  presencePacing?: PresencePacing;
  /** Called when the last holder releases the room. */
  onIdle(room: Room): void;
  /** Called when a write found the board deleted (elsewhere): the registry drops the room. */
  onGone?(room: Room): void;
}

/** Something attached to a room for its lifetime (e.g. the viewers' feed). */
export interface RoomExtension {
  destroy(): void;
  /** These ids of the board stopped working (reset or deleted): end what used them. */
  revoke?(ids: readonly string[]): void;
}

interface PendingUpdate {
  peer: Peer;
  update: Uint8Array;
  /** As the update gate decoded it; indexed in `queued` until applied. */
  decoded: GateDecoded;
}

export class Room {
  readonly peers = new Set<Peer>();
  readonly presence: RoomPresence;
  private holders = 0;
  private pending: PendingUpdate[] = [];
  /**
   * Structs of the updates accepted but not applied yet (queued, or being committed): the update
   * gate resolves what a new update builds on in them as well as in the doc.
   */
  readonly queued: GateQueue = new QueuedStructs();
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private fullStateCache: Uint8Array | null = null;
  private storageRetryAt = 0;
  private readonly extensions = new Map<string, RoomExtension>();
  private destroyed = false;
  /** Peers that missed a presence frame (they were behind): they get the whole presence next. */
  private readonly presenceBehind = new Set<Peer>();
  /** Size of the last compacted state; the byte bound for compaction grows with it. */
  private compactedBytes: number;

  constructor(
    /** The board's current ids; `changeIds` replaces it when a link is reset. */
    public board: BoardRecord,
    readonly doc: Y.Doc,
    private logUpdates: number,
    private logBytes: number,
    private readonly deps: RoomDeps,
  ) {
    this.presence = new RoomPresence(
      (frame) => {
        this.broadcastPresence(frame);
        this.deps.replicator?.publishPresence(this.key, frame);
      },
      {
        peerCount: () => this.peers.size,
        pacing: deps.presencePacing ?? null,
        onScheduled: (delayMs) => deps.metrics.presenceFlushDelay.observe(delayMs / 1_000),
      },
    );
    this.compactedBytes = logBytes;
  }

  get editId(): string {
    return this.board.editId;
  }

  /** The board's internal key: what storage and replication know it by. */
  get key(): string {
    return this.board.key;
  }

  /** The role `id` gives on this board now; null when it is not (or no longer) one of its ids. */
  roleOf(id: string): Role | null {
    if (id === this.board.editId) return 'edit';
    return id === this.board.viewId ? 'view' : null;
  }

  /**
   * The board's ids changed (a link was reset), or it was deleted (`next` null): every peer and
   * viewer that came by an id it no longer has is closed with 4404 (all of them when deleted).
   */
  changeIds(next: BoardRecord | null): void {
    const { editId, viewId } = this.board;
    const gone = [editId, viewId].filter((id) => id !== next?.editId && id !== next?.viewId);
    if (next) this.board = next;
    if (gone.length === 0) return;
    for (const peer of [...this.peers])
      if (!next || gone.includes(peer.viaId)) peer.close(CLOSE.GONE);
    for (const extension of this.extensions.values()) extension.revoke?.(gone);
  }

  /** Keeps the room loaded until the returned function is called (once). */
  retain(): () => void {
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders === 0) this.deps.onIdle(this);
    };
  }

  get isHeld(): boolean {
    return this.holders > 0;
  }

  /** Peers, viewers and requests holding the room right now. */
  get holderCount(): number {
    return this.holders;
  }

  /** Adds a peer and starts its sync: our state vector, then everyone's presence. */
  join(peer: Peer): void {
    this.peers.add(peer);
    peer.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    const presence = this.presence.encodeAll();
    if (presence) peer.send(presence);
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    this.presenceBehind.delete(peer);
    this.presence.removePeer(peer);
  }

  /** Answers a peer's sync step 1. Throws when the state vector does not decode. */
  answerSyncStep1(peer: Peer, stateVector: Uint8Array): void {
    const known = Y.decodeStateVector(stateVector);
    const update =
      known.size === 0 ? this.fullState() : Y.encodeStateAsUpdate(this.doc, stateVector);
    peer.send(encodeSyncStep2(update));
  }

  /** The whole board as one update, encoded once per change. */
  fullState(): Uint8Array {
    this.fullStateCache ??= Y.encodeStateAsUpdate(this.doc);
    return this.fullStateCache;
  }

  /** Queues a gated update for the next commit. Refuses it while storage is failing. */
  submitUpdate(peer: Peer, update: Uint8Array, decoded: GateDecoded): void {
    if (Date.now() < this.storageRetryAt) {
      this.refuse(peer, CLOSE.TRY_AGAIN_LATER, 'storage unavailable', 'storage_unavailable');
      return;
    }
    this.pending.push({ peer, update, decoded });
    this.queued.add(decoded);
    this.scheduleFlush();
  }

  /** Applies presence; entries for ids another connection introduced are dropped and counted. */
  applyPresence(peer: Peer, entries: readonly AwarenessEntry[]): PresenceVerdict {
    const verdict = this.presence.apply(peer, entries);
    if (verdict.ok && verdict.foreign > 0) {
      this.deps.metrics.refusals.inc({ reason: 'presence_foreign_id' }, verdict.foreign);
      this.deps.log.warn(
        { board: this.editId, peer: peer.id, entries: verdict.foreign },
        "presence for another connection's client id dropped",
      );
    }
    return verdict;
  }

  sendPresenceTo(peer: Peer): void {
    const presence = this.presence.encodeAll();
    if (presence) peer.send(presence);
  }

  /**
   * A committed update from another instance: applied to the doc and relayed to every local peer
   * (and so to viewers observing the doc), never stored again. A no-op update is not relayed.
   * Returns true when the doc now lacks something the update depends on (its instance died
   * between commit and publish): the caller re-reads storage, which has it.
   */
  applyRemoteUpdate(update: Uint8Array): boolean {
    if (this.destroyed) return false;
    let fresh = false;
    this.doc.transact((transaction) => {
      Y.applyUpdate(this.doc, update, REMOTE_ORIGIN);
      const { store } = this.doc;
      // New items, new deletions, or a part waiting for what it depends on: worth relaying.
      fresh = transaction.deleteSet.clients.size > 0 || store.pendingStructs !== null;
      for (const client of store.clients.keys())
        fresh ||= Y.getState(store, client) !== (transaction.beforeState.get(client) ?? 0);
    }, REMOTE_ORIGIN);
    if (fresh) {
      this.fullStateCache = null;
      this.broadcast(encodeSyncUpdate(update), null);
    }
    return this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
  }

  /** Presence from another instance's peers, relayed to local peers; it is never owned here. */
  relayRemotePresence(frame: Uint8Array): void {
    if (this.destroyed) return;
    const relayed = this.presence.applyRemote(frame);
    if (relayed) this.broadcastPresence(relayed);
  }

  /** Another instance asked (its board just loaded): publish the presence of this instance's peers. */
  publishOwnPresence(): void {
    const frame = this.presence.encodeAll(false);
    if (frame) this.deps.replicator?.publishPresence(this.key, frame);
  }

  /** Sends one frame to every peer except `except`. */
  broadcast(frame: Uint8Array, except: Peer | null): void {
    let sent = 0;
    for (const peer of this.peers) {
      if (peer === except) continue;
      peer.send(frame);
      sent++;
    }
    this.deps.metrics.messagesOut.inc(sent);
    this.deps.metrics.bytesOut.inc(sent * frame.byteLength);
  }

  /**
   * Sends a presence frame to every peer. A peer that is behind skips it (presence goes first
   * under backpressure) and gets the whole presence with the next frame it can take.
   */
  broadcastPresence(frame: Uint8Array): void {
    let sent = 0;
    let bytes = 0;
    let whole: Uint8Array | null | undefined;
    for (const peer of this.peers) {
      if (!peer.sendPresence) {
        peer.send(frame);
      } else if (this.presenceBehind.has(peer)) {
        if (whole === undefined) whole = this.presence.encodeAll();
        const catchUp = whole ?? frame;
        if (!peer.sendPresence(catchUp)) continue;
        this.presenceBehind.delete(peer);
        bytes += catchUp.byteLength - frame.byteLength;
      } else if (!peer.sendPresence(frame)) {
        this.presenceBehind.add(peer);
        continue;
      }
      sent++;
      bytes += frame.byteLength;
    }
    this.deps.metrics.messagesOut.inc(sent);
    this.deps.metrics.bytesOut.inc(bytes);
  }

  /** The extension stored under `key`, created on first use and destroyed with the room. */
  extension<T extends RoomExtension>(key: string, create: (room: Room) => T): T {
    let extension = this.extensions.get(key);
    if (!extension) {
      extension = create(this);
      this.extensions.set(key, extension);
    }
    return extension as T;
  }

  /** Resolves once every queued update is committed and relayed. */
  async whenSettled(): Promise<void> {
    while (this.flushing || this.pending.length > 0 || this.flushScheduled) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  closeAllPeers(close: CloseCode, detail?: string): void {
    for (const peer of [...this.peers]) peer.close(close, detail);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const extension of this.extensions.values()) extension.destroy();
    this.extensions.clear();
    this.presence.destroy();
    this.presenceBehind.clear();
    this.peers.clear();
    this.doc.destroy();
  }

  private refuse(peer: Peer, close: CloseCode, detail: string, reason: string): void {
    this.deps.metrics.refusals.inc({ reason });
    this.deps.log.warn(
      { board: this.editId, peer: peer.id, code: close.code, reason: detail },
      'update refused',
    );
    peer.close(close, detail);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.pending.length > 0 && !this.destroyed) this.scheduleFlush();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0 || this.destroyed) return;
    try {
      await this.commitAndRelay(batch);
    } finally {
      // The batch is applied (or dropped): keep indexing only what is still queued.
      this.queued.clear();
      for (const item of this.pending) this.queued.add(item.decoded);
    }
  }

  private async commitAndRelay(batch: readonly PendingUpdate[]): Promise<void> {
    const updates = batch.map((item) => item.update);
    const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    const stopTimer = this.deps.metrics.commitSeconds.startTimer();
    try {
      await this.deps.store.appendUpdates(this.key, updates);
    } catch (error) {
      this.failStorage(batch, error);
      return;
    }
    stopTimer();
    this.deps.metrics.commits.inc();
    this.deps.metrics.storedBytes.inc(bytes);
    this.applyAndRelay(batch, updates);
    this.logUpdates += updates.length;
    this.logBytes += bytes;
    await this.compactIfDue();
  }

  private applyAndRelay(batch: readonly PendingUpdate[], updates: Uint8Array[]): void {
    if (this.destroyed) return;
    this.doc.transact(() => {
      for (const { update, peer } of batch) Y.applyUpdate(this.doc, update, peer);
    }, this);
    this.fullStateCache = null;
    const writers = new Set(batch.map((item) => item.peer));
    const merged = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
    const only = writers.size === 1 ? (batch[0] as PendingUpdate).peer : null;
    this.broadcast(encodeSyncUpdate(merged), only);
    this.deps.replicator?.publishUpdate(this.key, merged);
  }

  /** Nothing in `batch` was stored: refuse its writers, relay nothing, pause writes. */
  private failStorage(batch: readonly PendingUpdate[], error: unknown): void {
    if (error instanceof BoardGoneError) {
      this.changeIds(null);
      this.deps.onGone?.(this);
      return;
    }
    this.storageRetryAt = Date.now() + STORAGE_RETRY_MS;
    this.deps.metrics.storageFailures.inc();
    this.deps.log.error(
      { board: this.editId, err: error },
      'storage write failed; updates refused',
    );
    for (const peer of new Set(batch.map((item) => item.peer))) {
      this.refuse(peer, CLOSE.TRY_AGAIN_LATER, 'storage unavailable', 'storage_unavailable');
    }
  }

  /**
   * Replaces the log with one merged state once it passes the bounds. The byte bound grows with
   * the state itself, so a big board is not re-compacted on every commit.
   */
  private async compactIfDue(): Promise<void> {
    const byteBound = Math.max(this.deps.compactAfterBytes, 2 * this.compactedBytes);
    if (this.logUpdates <= this.deps.compactAfterUpdates && this.logBytes <= byteBound) return;
    const merged = this.fullState();
    try {
      await this.deps.store.replaceLog(this.key, merged);
      this.logUpdates = 1;
      this.logBytes = merged.byteLength;
      this.compactedBytes = merged.byteLength;
      this.deps.metrics.compactions.inc();
    } catch (error) {
      this.deps.log.error(
        { board: this.editId, err: error },
        'compaction failed; the log is kept as it was',
      );
    }
  }
}
