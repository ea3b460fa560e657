/**
 * Presence (awareness) of one room. A peer may set or remove only the client ids it introduced;
 * changes are coalesced and broadcast once per tick as one frame that every peer receives, and
 * a leaving peer's ids are removed for everyone.
 */
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import { encodeAwarenessEntries, type AwarenessEntry } from '../sync/awareness-decode.ts';
import { encodeAwarenessFrame } from '../sync/sync-frames.ts';
import type { Peer } from './peer.ts';

/** Client ids one connection may introduce (a tab has one; a few covers odd clients). */
export const MAX_CLIENT_IDS_PER_PEER = 4;

export type PresenceVerdict = { ok: true; foreign: number } | { ok: false; close: CloseCode; detail: string };

export class RoomPresence {
  private readonly states = new Map<number, AwarenessEntry>();
  private readonly owners = new Map<number, Peer>();
  private readonly owned = new Map<Peer, Set<number>>();
  private readonly changed = new Set<number>();
  private flushPending = false;
  private destroyed = false;

  constructor(private readonly broadcast: (frame: Uint8Array) => void) {}

  /** Applies entries from `peer`; entries for client ids owned by another peer are dropped. */
  apply(peer: Peer, entries: readonly AwarenessEntry[]): PresenceVerdict {
    let foreign = 0;
    for (const entry of entries) {
      const owner = this.owners.get(entry.clientId);
      if (owner && owner !== peer) {
        foreign++;
        continue;
      }
      if (!owner && entry.state === null) continue; // stock clients echo removals of ids that left: never a claim
      if (!owner) {
        const mine = this.owned.get(peer) ?? new Set<number>();
        if (mine.size >= MAX_CLIENT_IDS_PER_PEER) {
          return { ok: false, close: CLOSE.OVER_LIMIT, detail: `more than ${MAX_CLIENT_IDS_PER_PEER} presence ids` };
        }
        mine.add(entry.clientId);
        this.owned.set(peer, mine);
        this.owners.set(entry.clientId, peer);
      }
      this.states.set(entry.clientId, entry);
      this.markChanged(entry.clientId);
    }
    return { ok: true, foreign };
  }

  /** Removes every client id `peer` introduced, for everyone. */
  removePeer(peer: Peer): void {
    const mine = this.owned.get(peer);
    if (!mine) return;
    this.owned.delete(peer);
    for (const clientId of mine) {
      this.owners.delete(clientId);
      const current = this.states.get(clientId);
      if (current && current.state !== null) {
        this.states.set(clientId, { clientId, clock: current.clock + 1, state: null });
        this.markChanged(clientId);
      } else {
        this.states.delete(clientId);
      }
    }
  }

  /** A frame with every present state, for a joining peer or a query; null when empty. */
  encodeAll(): Uint8Array | null {
    const present = [...this.states.values()].filter((entry) => entry.state !== null);
    return present.length === 0 ? null : encodeAwarenessFrame(encodeAwarenessEntries(present));
  }

  get size(): number {
    return this.states.size;
  }

  destroy(): void {
    this.destroyed = true;
    this.states.clear();
    this.owners.clear();
    this.owned.clear();
    this.changed.clear();
  }

  private markChanged(clientId: number): void {
    this.changed.add(clientId);
    if (this.flushPending) return;
    this.flushPending = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushPending = false;
    if (this.destroyed || this.changed.size === 0) return;
    const entries: AwarenessEntry[] = [];
    for (const clientId of this.changed) {
      const entry = this.states.get(clientId);
      if (!entry) continue;
      entries.push(entry);
      // A removal is sent once; after that the id is forgotten so the map stays bounded.
      if (entry.state === null && !this.owners.has(clientId)) this.states.delete(clientId);
    }
    this.changed.clear();
    if (entries.length > 0) this.broadcast(encodeAwarenessFrame(encodeAwarenessEntries(entries)));
  }
}
