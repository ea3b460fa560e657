/**
 * A room's Yjs document and everything that changes it. Only committed updates reach it: peers'
 * runs and the server's edits after their storage commit (commit-queue.ts), other instances'
 * updates (committed there), and the stored log at load. Each change is announced to the room's
 * subscribers with its source. What a joiner is sent is encoded once per change and the same
 * bytes go to every joiner until the next one: the whole state as a sync step 2 frame (whose
 * payload is `fullState()`, no second copy) and the state vector as a sync step 1 frame.
 *
 * Applying cannot take the process down: an update that throws is caught, logged and counted
 * (`boardcast_apply_failures_total{where}`), and left out of what is relayed; the room closes
 * its sender. It is in the stored log already, and loading skips it the same way (and says so),
 * so the board still loads; the next compaction drops it.
 */
import * as Y from 'yjs';
import { observeShapes } from '../../common/board/board-doc.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { applyYjsUpdate, type ApplyUpdate } from './apply-update.ts';
import type { CommittedEdit, PeerWrite } from './commit-queue.ts';
import type { ChangeSource, RoomEvents, ShapesChange } from './room-events.ts';
import { ServerDraft, type ServerEdit } from './server-draft.ts';
import { encodeSyncStep1, encodeSyncStep2 } from './sync-frames.ts';

/** The transaction origin of updates that came from another instance. */
export const REMOTE_ORIGIN = 'replica';
/** The transaction origin of peers' committed updates. */
const PEER_ORIGIN = Symbol('peer updates');

/** The transaction origin of a server edit, carrying the caller's origin for subscribers. */
class ServerEditOrigin {
  constructor(readonly origin: unknown) {}
}

export class BoardDocument {
  private readonly draft: ServerDraft;
  private readonly unobserve: () => void;
  /** Sync step 2 with the whole state; null when the document changed since it was encoded. */
  private fullStateFrameCache: Uint8Array | null = null;
  /** Bytes of the state at the end of `fullStateFrameCache`. */
  private fullStateBytes = 0;
  /** Sync step 1 with the state vector; null when the document changed since. */
  private stateVectorFrameCache: Uint8Array | null = null;
  /** Changes of peers' writes not announced yet (`applyPeerWrites` → `announceHeld`). */
  private held: ShapesChange[] | null = null;

  constructor(
    readonly doc: Y.Doc,
    private readonly events: RoomEvents,
    private readonly deps: {
      log: Logger;
      metrics: Metrics;
      /** The board's internal key, for logs (its ids may be reset). */
      boardKey: string;
      applyUpdate?: ApplyUpdate | undefined;
    },
  ) {
    this.draft = new ServerDraft(doc, () => this.fullState());
    this.unobserve = observeShapes(doc, (ids, transaction) => {
      const change = { ids, ...changeSource(transaction.origin) };
      if (this.held) this.held.push(change);
      else events.shapesChanged(change);
    });
  }

  /** The whole board as one update, encoded once per change (a view into `fullStateFrame`). */
  fullState(): Uint8Array {
    const frame = this.fullStateFrame();
    return frame.subarray(frame.byteLength - this.fullStateBytes);
  }

  /** The whole board as a sync step 2 frame, encoded once per change: what every joiner gets. */
  fullStateFrame(): Uint8Array {
    if (!this.fullStateFrameCache) {
      const state = Y.encodeStateAsUpdate(this.doc);
      this.fullStateBytes = state.byteLength;
      this.fullStateFrameCache = encodeSyncStep2(state);
    }
    return this.fullStateFrameCache;
  }

  /** Our state vector as a sync step 1 frame, encoded once per change. */
  stateVectorFrame(): Uint8Array {
    this.stateVectorFrameCache ??= encodeSyncStep1(Y.encodeStateVector(this.doc));
    return this.stateVectorFrameCache;
  }

  /** The document changed: what a joiner is sent is encoded again when next asked for. */
  private changed(): void {
    this.fullStateFrameCache = null;
    this.stateVectorFrameCache = null;
  }

  /** A server edit made into an update on the draft (server-draft.ts); null when a no-op. */
  generate(edit: ServerEdit, origin: unknown): Uint8Array | null {
    return this.draft.generate(edit, origin);
  }

  /** The draft holds edits that were never committed: forget it. */
  discardDraft(): void {
    this.draft.drop();
  }

  /**
   * Applies a committed run of peers' updates, in one transaction; returns those that threw.
   * What changed is announced to subscribers only by `announceHeld`, so that the room relays
   * the run first: peers do not wait for the repairs check, the viewers' feed and the history.
   */
  applyPeerWrites(writes: readonly PeerWrite[]): PeerWrite[] {
    const failed: PeerWrite[] = [];
    this.held ??= [];
    this.doc.transact(() => {
      for (const write of writes)
        if (!this.tryApply(write.update, PEER_ORIGIN, 'peer')) failed.push(write);
    }, PEER_ORIGIN);
    this.changed();
    // The draft followed whatever part of a failed update Yjs integrated before throwing.
    if (failed.length > 0) this.draft.drop();
    return failed;
  }

  /** Announces the changes `applyPeerWrites` held back. */
  announceHeld(): void {
    const held = this.held;
    this.held = null;
    for (const change of held ?? []) this.events.shapesChanged(change);
  }

  /** Applies committed server edits, each in its own transaction (subscribers see its origin). */
  applyServerEdits(edits: readonly CommittedEdit[]): CommittedEdit[] {
    const failed: CommittedEdit[] = [];
    this.draft.applyOwn(() => {
      for (const edit of edits)
        if (!this.tryApply(edit.update, new ServerEditOrigin(edit.origin), 'server'))
          failed.push(edit);
    });
    this.changed();
    if (failed.length > 0) this.draft.drop(); // it holds edits the board does not
    return failed;
  }

  /**
   * Applies an update another instance committed. `fresh`: it brought something new (worth
   * relaying). `gap`: the document now lacks something an update depends on.
   */
  applyRemote(update: Uint8Array): { fresh: boolean; gap: boolean } {
    let fresh = false;
    let applied = true;
    this.doc.transact((transaction) => {
      applied = this.tryApply(update, REMOTE_ORIGIN, 'replica');
      const { store } = this.doc;
      // New items, new deletions, or a part waiting for what it depends on: worth relaying.
      fresh = transaction.deleteSet.clients.size > 0 || store.pendingStructs !== null;
      for (const client of store.clients.keys())
        fresh ||= Y.getState(store, client) !== (transaction.beforeState.get(client) ?? 0);
    }, REMOTE_ORIGIN);
    if (fresh) this.changed();
    if (!applied) this.draft.drop();
    const { pendingStructs, pendingDs } = this.doc.store;
    return { fresh: fresh && applied, gap: pendingStructs !== null || pendingDs !== null };
  }

  /** Applies one update; false (logged, counted) when it threw. */
  private tryApply(update: Uint8Array, origin: unknown, where: string): boolean {
    try {
      (this.deps.applyUpdate ?? applyYjsUpdate)(this.doc, update, origin);
      return true;
    } catch (error) {
      this.deps.metrics.applyFailures.inc({ where });
      this.deps.log.error(
        { board: this.deps.boardKey, where, bytes: update.byteLength, err: error },
        'update failed to apply; skipped',
      );
      return false;
    }
  }

  destroy(): void {
    this.draft.drop();
    this.unobserve();
    this.doc.destroy();
  }
}

function changeSource(origin: unknown): { source: ChangeSource; origin: unknown } {
  if (origin instanceof ServerEditOrigin) return { source: 'server', origin: origin.origin };
  return { source: origin === REMOTE_ORIGIN ? 'replica' : 'peer', origin: undefined };
}
