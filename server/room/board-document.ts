/**
 * A room's Yjs document and everything that changes it. Only committed updates reach it: peers'
 * runs and the server's edits after their storage commit (commit-queue.ts), other instances'
 * updates (committed there), and the stored log at load. Each change is announced to the room's
 * subscribers with its source, and the encoded whole state is cached between changes.
 */
import * as Y from 'yjs';
import { observeShapes } from '../../common/board/board-doc.ts';
import { applyYjsUpdate, type ApplyUpdate } from './apply-update.ts';
import type { CommittedEdit, PeerWrite } from './commit-queue.ts';
import type { ChangeSource, RoomEvents } from './room-events.ts';
import { ServerDraft, type ServerEdit } from './server-draft.ts';

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
  private fullStateCache: Uint8Array | null = null;

  constructor(
    readonly doc: Y.Doc,
    events: RoomEvents,
    private readonly applyUpdate: ApplyUpdate = applyYjsUpdate,
  ) {
    this.draft = new ServerDraft(doc, () => this.fullState());
    this.unobserve = observeShapes(doc, (ids, transaction) =>
      events.shapesChanged({ ids, ...changeSource(transaction.origin) }),
    );
  }

  /** The whole board as one update, encoded once per change. */
  fullState(): Uint8Array {
    this.fullStateCache ??= Y.encodeStateAsUpdate(this.doc);
    return this.fullStateCache;
  }

  /** A server edit made into an update on the draft (server-draft.ts); null when a no-op. */
  generate(edit: ServerEdit, origin: unknown): Uint8Array | null {
    return this.draft.generate(edit, origin);
  }

  /** The draft holds edits that were never committed: forget it. */
  discardDraft(): void {
    this.draft.drop();
  }

  /** Applies a committed run of peers' updates, in one transaction. */
  applyPeerWrites(writes: readonly PeerWrite[]): void {
    this.doc.transact(() => {
      for (const { update } of writes) this.applyUpdate(this.doc, update, PEER_ORIGIN);
    }, PEER_ORIGIN);
    this.fullStateCache = null;
  }

  /** Applies committed server edits, each in its own transaction (subscribers see its origin). */
  applyServerEdits(edits: readonly CommittedEdit[]): void {
    this.draft.applyOwn(() => {
      for (const { update, origin } of edits)
        this.applyUpdate(this.doc, update, new ServerEditOrigin(origin));
    });
    this.fullStateCache = null;
  }

  /**
   * Applies an update another instance committed. `fresh`: it brought something new (worth
   * relaying). `gap`: the document now lacks something an update depends on.
   */
  applyRemote(update: Uint8Array): { fresh: boolean; gap: boolean } {
    let fresh = false;
    this.doc.transact((transaction) => {
      this.applyUpdate(this.doc, update, REMOTE_ORIGIN);
      const { store } = this.doc;
      // New items, new deletions, or a part waiting for what it depends on: worth relaying.
      fresh = transaction.deleteSet.clients.size > 0 || store.pendingStructs !== null;
      for (const client of store.clients.keys())
        fresh ||= Y.getState(store, client) !== (transaction.beforeState.get(client) ?? 0);
    }, REMOTE_ORIGIN);
    if (fresh) this.fullStateCache = null;
    const { pendingStructs, pendingDs } = this.doc.store;
    return { fresh, gap: pendingStructs !== null || pendingDs !== null };
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
