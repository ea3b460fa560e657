/**
 * One loaded board: its Yjs document, its peers, its presence, and everything it accepts.
 *
 * Transports (server/transports/) speak to a room through a few methods and nothing else:
 *   join(peer)                 sends the peer our state vector and everyone's presence
 *   receive(peer, message)     one y-protocols message: answers sync step 1, gates updates,
 *                              applies presence; refuses (closes) the peer when it must
 *   leave(peer)                removes it and its presence (and what it was still drawing)
 *   resync(peer)               starts its sync over (a transport dropped what it did not collect)
 *   closeAll(close, detail)    closes every peer
 * A link reset or a deletion reaches a room through `changeIds` (room-registry.ts): the peers
 * and subscribers that came by an id the board no longer has are closed (4404).
 * The server changes a board through `applyServerEdit`, and anything that follows a board
 * (the viewers' feed, webhooks, thumbnails) subscribes to its events (room-events.ts).
 *
 * The rule every write follows, a peer's or the server's: receive → gate → hold or accept →
 * commit to storage → apply to the document → relay to the peers (and to the other instances)
 * → repair what it left invalid (shape-repairs.ts, with a server edit that follows the same
 * rule). Nothing is applied, relayed or shown to a joiner or viewer before it is stored
 * (commit-queue.ts). When several peers wrote in one tick, the merged update goes to everyone,
 * writers included (an echo is a no-op for Yjs), so it is encoded once; a lone writer gets no
 * echo.
 */
import * as Y from 'yjs';
import { readShape, readShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { BoardRecord, BoardStore, Role } from '../storage/board-store.ts';
import { AbandonedDrawings } from './abandoned-drawings.ts';
import type { ApplyUpdate } from './apply-update.ts';
import { BoardDocument } from './board-document.ts';
import { readClientMessage } from './client-message.ts';
import {
  CommitQueue,
  type CommittedRun,
  type PeerWrite,
  type ServerEditResult,
} from './commit-queue.ts';
import type { Peer } from './peer.ts';
import { receivePresence, type PresenceIntakeDeps } from './presence-intake.ts';
import type { Refusal } from './refusal.ts';
import { RoomEvents, type RoomSubscriber, type Unsubscribe } from './room-events.ts';
import { RoomPeers } from './room-peers.ts';
import { RoomPresence, type PresencePacing } from './room-presence.ts';
import type { RoomReplicator } from './room-replicator.ts';
import type { ServerEdit } from './server-draft.ts';
import { DEFAULT_INCOMPLETE_SHAPE_GRACE_MS, REPAIR_ORIGIN, ShapeRepairs } from './shape-repairs.ts';
import { encodeSyncStep2, encodeSyncUpdate } from './sync-frames.ts';
import { DEFAULT_HELD_LIMITS, type HeldLimits } from './held-updates.ts';
import { STORAGE_REFUSAL, UpdateIntake } from './update-intake.ts';

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
  /** How updates are applied (Y.applyUpdate; a test may inject a failure). */
  applyUpdate?: ApplyUpdate;
  /** Bounds on updates held until what they build on arrives (HELD_UPDATE_*). */
  held?: HeldLimits;
  /** How long an incomplete shape may wait for its missing fields (INCOMPLETE_SHAPE_GRACE_MS). */
  incompleteShapeGraceMs?: number;
  /** Called when the last holder releases the room. */
  onIdle(room: Room): void;
  /** Called when a write found the board deleted (elsewhere): the registry drops the room. */
  onGone?(room: Room): void;
}

export class Room {
  readonly presence: RoomPresence;
  private readonly peers: RoomPeers;
  private readonly events: RoomEvents;
  private readonly commits: CommitQueue;
  private readonly boardDoc: BoardDocument;
  private readonly intake: UpdateIntake;
  private readonly repairs: ShapeRepairs;
  private readonly abandoned: AbandonedDrawings;
  private readonly presenceIntake: PresenceIntakeDeps;
  private holders = 0;
  private destroyed = false;

  constructor(
    /** The board's current ids; `changeIds` replaces it when a link is reset. */
    public board: BoardRecord,
    /** The board. Read it freely; change it only through `applyServerEdit`. */
    readonly doc: Y.Doc,
    loaded: { updates: number; bytes: number },
    private readonly deps: RoomDeps,
  ) {
    this.events = new RoomEvents(deps.log, board.editId);
    this.boardDoc = new BoardDocument(doc, this.events, { ...deps, boardKey: board.key });
    this.peers = new RoomPeers(deps.metrics, () => this.presence.encodeAll());
    this.presence = this.createPresence();
    const { metrics, log } = deps;
    this.presenceIntake = {
      presence: this.presence,
      metrics,
      log,
      boardKey: this.key,
      reported: new WeakSet(),
    };
    this.commits = this.createCommits(loaded);
    this.intake = new UpdateIntake({
      doc,
      commits: this.commits,
      metrics: deps.metrics,
      held: deps.held ?? DEFAULT_HELD_LIMITS,
      refuse: (peer, refusal) => this.refuse(peer, refusal),
    });
    this.repairs = this.createRepairs();
    this.abandoned = new AbandonedDrawings({
      doc,
      applyServerEdit: (edit, origin) => this.applyServerEdit(edit, origin),
      isPresent: (clientId) => this.presence.isPresent(clientId),
      log: deps.log,
      metrics: deps.metrics,
      boardKey: this.key,
    });
  }

  private createPresence(): RoomPresence {
    return new RoomPresence(
      (frame) => {
        this.peers.broadcastPresence(frame);
        this.deps.replicator?.publishPresence(this.key, frame);
      },
      {
        peerCount: () => this.peers.size,
        pacing: this.deps.presencePacing ?? null,
        onScheduled: (delayMs) => this.deps.metrics.presenceFlushDelay.observe(delayMs / 1_000),
        onEncoded: (encodeMs) => this.deps.metrics.presenceEncodeSeconds.inc(encodeMs / 1_000),
      },
    );
  }

  private createCommits(loaded: { updates: number; bytes: number }): CommitQueue {
    return new CommitQueue({
      ...this.deps,
      key: this.key,
      boardGone: () => {
        this.changeIds(null);
        this.deps.onGone?.(this);
      },
      loaded,
      apply: (run) => this.applyCommitted(run),
      generate: (edit, origin) => this.boardDoc.generate(edit, origin),
      discardDraft: () => this.boardDoc.discardDraft(),
      refuseWriters: (peers) => {
        for (const peer of peers) this.refuse(peer, STORAGE_REFUSAL);
      },
      fullState: () => this.fullState(),
    });
  }

  /** This instance repairs what it applied (and the board as loaded); replicas repair theirs. */
  private createRepairs(): ShapeRepairs {
    const repairs = new ShapeRepairs({
      doc: this.doc,
      applyServerEdit: (edit, origin) => this.applyServerEdit(edit, origin),
      log: this.deps.log,
      metrics: this.deps.metrics,
      boardKey: this.key,
      incompleteGraceMs: this.deps.incompleteShapeGraceMs ?? DEFAULT_INCOMPLETE_SHAPE_GRACE_MS,
    });
    this.events.subscribe({
      shapesChanged: ({ ids, source, origin }) => {
        if (source !== 'replica' && origin !== REPAIR_ORIGIN) repairs.check(ids);
      },
    });
    repairs.checkAll();
    return repairs;
  }

  get editId(): string {
    return this.board.editId;
  }

  /** The board's view id now (a link reset changes it). */
  get viewId(): string {
    return this.board.viewId;
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
   * subscriber that came by an id it no longer has is closed with 4404 (all of them when deleted).
   */
  changeIds(next: BoardRecord | null): void {
    const { editId, viewId } = this.board;
    const gone = [editId, viewId].filter((id) => id !== next?.editId && id !== next?.viewId);
    if (next) this.board = next;
    if (gone.length === 0) return;
    for (const peer of [...this.peers])
      if (!next || gone.includes(peer.viaId)) peer.close(CLOSE.GONE);
    this.events.idsRevoked(gone);
  }

  // ── Transports ────────────────────────────────────────────────────────────────────────────

  /** Adds a peer and starts its sync: our state vector, then everyone's presence. */
  join(peer: Peer): void {
    this.peers.add(peer);
    peer.send(this.boardDoc.stateVectorFrame());
    const presence = this.presence.encodeAll();
    if (presence) peer.send(presence);
  }

  /**
   * Starts a joined peer's sync over: our state vector, the whole board as sync step 2, and
   * everyone's presence. For a transport that dropped messages its client never collected
   * (an HTTP session skipped to a fresh sync); Yjs ignores what the client already has.
   */
  resync(peer: Peer): void {
    if (this.destroyed) return;
    peer.send(this.boardDoc.stateVectorFrame());
    peer.send(this.boardDoc.fullStateFrame());
    const presence = this.presence.encodeAll();
    if (presence) peer.send(presence);
  }

  /**
   * One y-protocols message from `peer` (sync, awareness or query; PROTOCOL.md). Never throws:
   * a message that must be refused closes its peer with the documented code.
   */
  receive(peer: Peer, message: Uint8Array): void {
    if (this.destroyed) return;
    let refusal: Refusal | null;
    try {
      refusal = this.dispatch(peer, message);
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'undecodable message';
      refusal = { close: CLOSE.MALFORMED, detail, reason: 'malformed' };
    }
    if (refusal) this.refuse(peer, refusal);
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    const clientIds = this.presence.idsOf(peer);
    this.intake.drop(peer);
    this.presence.removePeer(peer);
    this.abandoned.peerLeft(clientIds); // what it was still drawing goes too, unless it is back
  }

  /** Closes every peer with `close` (e.g. the board was deleted or its link rotated). */
  closeAll(close: CloseCode, detail?: string): void {
    this.peers.closeAll(close, detail);
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** The peers by the role their id gives (for the operator's connection counts). */
  peerRoles(): Role[] {
    return [...this.peers].map((peer) => this.roleOf(peer.viaId) ?? 'view');
  }

  /** Peers, viewers and requests holding the room right now. */
  get holderCount(): number {
    return this.holders;
  }

  // ── The server's own edits, and what follows the board ────────────────────────────────────

  /**
   * Changes the board as the server: `edit` runs on a document holding the board's current
   * state (it may read and write it, in one go, and must not keep it) and the change it makes
   * follows the same rule as a peer's update: committed to storage before any peer, joiner or
   * viewer can see it, then applied here, relayed to every peer and published to the other
   * instances. Edits run in order with peers' updates. Resolves once relayed, with whether
   * anything changed; rejects with RoomWriteError when storage refused it or the room closed
   * first, and with the edit's own error when it threw (nothing of it is applied then).
   * `origin` is handed to subscribers (ShapesChange.origin).
   */
  applyServerEdit(edit: ServerEdit, origin?: unknown): Promise<ServerEditResult> {
    return this.commits.submitEdit(edit, origin);
  }

  subscribe(subscriber: RoomSubscriber): Unsubscribe {
    return this.events.subscribe(subscriber);
  }

  readShape(id: string): Shape | null {
    return readShape(this.doc, id);
  }

  /** Every valid shape, in paint order. */
  readShapes(): Shape[] {
    return readShapes(this.doc);
  }

  /** The whole board as one update, encoded once per change. */
  fullState(): Uint8Array {
    return this.boardDoc.fullState();
  }

  // ── Registry and scale-out ────────────────────────────────────────────────────────────────

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

  /**
   * A committed update from another instance: applied to the doc and relayed to every local peer
   * (and so to subscribers), never stored again. A no-op update is not relayed. Returns true when
   * the doc now lacks something the update depends on (its instance died between commit and
   * publish): the caller re-reads storage, which has it.
   */
  applyRemoteUpdate(update: Uint8Array): boolean {
    if (this.destroyed) return false;
    const { fresh, gap } = this.boardDoc.applyRemote(update);
    if (fresh) this.peers.broadcast(encodeSyncUpdate(update));
    this.intake.release();
    return gap;
  }

  /** Presence from another instance's peers, relayed to local peers; it is never owned here. */
  relayRemotePresence(frame: Uint8Array): void {
    if (this.destroyed) return;
    const relayed = this.presence.applyRemote(frame);
    if (relayed) this.peers.broadcastPresence(relayed);
  }

  /** Another instance asked (its board just loaded): publish the presence of this instance's peers. */
  publishOwnPresence(): void {
    const frame = this.presence.encodeAll(false);
    if (frame) this.deps.replicator?.publishPresence(this.key, frame);
  }

  /** Resolves once every queued write is committed and relayed. */
  whenSettled(): Promise<void> {
    return this.commits.whenSettled();
  }

  /** Before unloading (once settled): the stored log becomes one state (commit-queue.ts). */
  compactBeforeUnload(): Promise<void> {
    return this.commits.compactBeforeUnload();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.commits.close();
    this.intake.destroy();
    this.repairs.destroy();
    this.abandoned.destroy();
    this.events.roomClosed();
    this.presence.destroy();
    this.peers.clear();
    this.boardDoc.destroy();
  }

  // ── Inside ────────────────────────────────────────────────────────────────────────────────

  private dispatch(peer: Peer, bytes: Uint8Array): Refusal | null {
    const message = readClientMessage(bytes);
    switch (message.kind) {
      case 'sync-step-1':
        this.answerSyncStep1(peer, message.stateVector);
        return null;
      case 'update':
        return this.receiveUpdate(peer, message.update);
      case 'awareness':
        return receivePresence(this.presenceIntake, peer, message.payload);
      case 'query-awareness': {
        const presence = this.presence.encodeAll();
        if (presence) peer.send(presence);
        return null;
      }
    }
  }

  /**
   * Answers a peer's sync step 1; an empty state vector (a fresh joiner) gets the cached frame,
   * the same bytes for every joiner until the board changes. Throws when it does not decode.
   */
  private answerSyncStep1(peer: Peer, stateVector: Uint8Array): void {
    const known = Y.decodeStateVector(stateVector);
    if (known.size === 0) return peer.send(this.boardDoc.fullStateFrame());
    peer.send(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector)));
  }

  /**
   * A read-only peer's updates are never applied, stored or relayed; the stock client sends an
   * empty one on join, not worth a look.
   */
  private receiveUpdate(peer: Peer, update: Uint8Array): Refusal | null {
    if (peer.role === 'view' || isEmptyUpdate(update)) return null;
    return this.intake.receive(peer, update);
  }

  /**
   * Applies a committed run and relays what applied: a lone writer gets no echo. A peer whose
   * update threw is closed (1007); held updates are looked at again.
   */
  private applyCommitted(run: CommittedRun): void {
    if (this.destroyed) return;
    if (run.kind === 'peer') {
      try {
        this.relayPeerWrites(run.writes);
      } finally {
        this.boardDoc.announceHeld(); // after the relay: subscribers do not delay the peers
      }
    } else {
      const failed = new Set(this.boardDoc.applyServerEdits(run.edits));
      this.relay(
        run.edits.filter((edit) => !failed.has(edit)).map((edit) => edit.update),
        null,
      );
    }
    this.intake.release();
  }

  /** Applies a committed run of peers' updates and relays what applied; closes who sent the rest. */
  private relayPeerWrites(writes: readonly PeerWrite[]): void {
    const failed = new Set(this.boardDoc.applyPeerWrites(writes));
    const applied = failed.size === 0 ? writes : writes.filter((write) => !failed.has(write));
    for (const peer of new Set([...failed].map((write) => write.peer)))
      this.refuse(peer, APPLY_REFUSAL);
    const only = applied.every((write) => write.peer === applied[0]?.peer)
      ? (applied[0]?.peer ?? null)
      : null;
    this.relay(
      applied.map((write) => write.update),
      only,
    );
  }

  /** Sends committed updates, merged, to every peer but `except`, and to the other instances. */
  private relay(updates: Uint8Array[], except: Peer | null): void {
    if (updates.length === 0) return;
    const merged = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
    this.peers.broadcast(encodeSyncUpdate(merged), except);
    this.deps.replicator?.publishUpdate(this.key, merged);
  }

  private refuse(peer: Peer, { close, detail, reason }: Refusal): void {
    this.deps.metrics.refusals.inc({ reason });
    this.deps.log.warn(
      { board: this.editId, peer: peer.id, code: close.code, reason: detail },
      'peer refused',
    );
    peer.close(close, detail);
  }
}

/** An update that threw in Yjs: nothing more of its sender is taken (it would send it again). */
const APPLY_REFUSAL: Refusal = {
  close: CLOSE.MALFORMED,
  detail: 'the update could not be applied',
  reason: 'apply_failed',
};

/** An empty Yjs update (no structs, no deletions): what a fresh client sends as sync step 2. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}
