/**
 * Where the server writes its own edits (`room.applyServerEdit`) before they reach the board: a
 * second Y.Doc holding the same state as the room's document. An edit runs there and yields a
 * Yjs update; the room then commits that update to storage and only then applies it to its
 * document and relays it, exactly as it does with a peer's update. The room's document, which
 * peers, joiners and viewers read, never holds an edit that is not stored yet.
 *
 * The draft is created from the room's state on first use and kept in step with every change
 * to the room's document while it lives (its `update` events), so an edit costs what the edit
 * touches, not the size of the board; it is dropped after DRAFT_IDLE_MS without edits. Anything
 * that could make it differ from the room (an edit that throws halfway, a commit that fails)
 * drops it too, and the next edit starts from the room's state again.
 */
import * as random from 'lib0/random';
import * as Y from 'yjs';

/** A draft unused this long is dropped (it doubles the board's memory while it lives). */
export const DRAFT_IDLE_MS = 30_000;

export type ServerEdit = (doc: Y.Doc) => void;

export class ServerDraft {
  private draft: Y.Doc | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Random per room load, like any Yjs client's; never one a client uses. */
  private readonly clientId = random.uint32();
  /** True while the room applies an update the draft made: the draft has it already. */
  private applyingOwn = false;
  private readonly follow = (update: Uint8Array) => {
    if (!this.applyingOwn && this.draft) Y.applyUpdate(this.draft, update);
  };

  constructor(
    private readonly doc: Y.Doc,
    /** The room's whole state as one update (cached by the room). */
    private readonly fullState: () => Uint8Array,
    private readonly idleMs = DRAFT_IDLE_MS,
  ) {}

  /**
   * The update `edit` makes to the board as it is now, or null when it changes nothing. The
   * edit sees a document with the room's state; it must not keep it.
   */
  generate(edit: ServerEdit, origin: unknown): Uint8Array | null {
    const draft = this.ensure();
    const updates: Uint8Array[] = [];
    const collect = (update: Uint8Array) => updates.push(update);
    draft.on('update', collect);
    try {
      draft.transact(() => edit(draft), origin);
    } catch (error) {
      this.drop(); // it may hold half of the edit
      throw error;
    } finally {
      draft.off('update', collect);
    }
    if (updates.length === 0) return null;
    return updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
  }

  /** Applies to the room's document an update this draft generated (it is not replayed here). */
  applyOwn(apply: () => void): void {
    this.applyingOwn = true;
    try {
      apply();
    } finally {
      this.applyingOwn = false;
    }
  }

  /** Forgets the draft: it may differ from the room (e.g. an edit that was never committed). */
  drop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.draft) return;
    this.doc.off('update', this.follow);
    this.draft.destroy();
    this.draft = null;
  }

  private ensure(): Y.Doc {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.drop(), this.idleMs);
    this.idleTimer.unref();
    if (this.draft) return this.draft;
    const draft = new Y.Doc({ gc: true });
    Y.applyUpdate(draft, this.fullState());
    // One client id for all of this room's server edits (set after the state is in: Yjs picks a
    // new id when an update brings structs of its own), so the state vector grows by one entry
    // per load of the board, not one per draft.
    draft.clientID = this.clientId;
    this.doc.on('update', this.follow);
    this.draft = draft;
    return draft;
  }
}
