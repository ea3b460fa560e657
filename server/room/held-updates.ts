/**
 * Updates that arrived before what they build on (contract: "An update whose dependencies have
 * not arrived yet … is held"), per peer, until the board has it. Yjs itself holds such updates;
 * the room does too, but outside the document, so nothing is integrated unchecked: when the
 * board has what a held update needs, the room runs the whole gate on it again.
 *
 * Bounded per peer in bytes, count and time (HELD_UPDATE_BYTES, HELD_UPDATE_COUNT,
 * HELD_UPDATE_MS). Past a bound the peer is closed with 1013: an honest client then reconnects
 * and its sync step 2 brings whatever the server lacked; an attacker (a delete of clocks nobody
 * has) has tied up a bounded amount of memory for a bounded time, and its update is never applied.
 */
import type { Peer } from './peer.ts';
import type { StateNeeds } from './update-gate.ts';

export interface HeldLimits {
  /** Bytes of held updates per peer. */
  maxBytes: number;
  /** Held updates per peer. */
  maxCount: number;
  /** How long an update may wait. */
  maxMs: number;
}

export const DEFAULT_HELD_LIMITS: Readonly<HeldLimits> = Object.freeze({
  maxBytes: 4 * 1_048_576,
  maxCount: 1_000,
  maxMs: 30_000,
});

export interface HeldUpdate {
  peer: Peer;
  update: Uint8Array;
  needs: StateNeeds;
  /** When it first arrived: the time bound counts from there, across re-checks. */
  heldSince: number;
}

export class HeldUpdates {
  private readonly byPeer = new Map<Peer, HeldUpdate[]>();
  private readonly bytes = new Map<Peer, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: HeldLimits,
    /** Peers whose oldest held update waited past the time bound. */
    private readonly onExpired: (peers: Peer[]) => void,
  ) {}

  get size(): number {
    let count = 0;
    for (const list of this.byPeer.values()) count += list.length;
    return count;
  }

  /** Holds an update; false (nothing held) when the peer would go over its bounds. */
  hold(held: HeldUpdate): boolean {
    const list = this.byPeer.get(held.peer) ?? [];
    const bytes = (this.bytes.get(held.peer) ?? 0) + held.update.byteLength;
    if (list.length >= this.limits.maxCount || bytes > this.limits.maxBytes) return false;
    list.push(held);
    this.byPeer.set(held.peer, list);
    this.bytes.set(held.peer, bytes);
    this.armTimer();
    return true;
  }

  /** Takes out, in arrival order, the held updates `isReady` accepts. */
  takeReady(isReady: (needs: StateNeeds) => boolean): HeldUpdate[] {
    const ready: HeldUpdate[] = [];
    for (const [peer, list] of this.byPeer) {
      const waiting = list.filter((held) => !isReady(held.needs));
      if (waiting.length === list.length) continue;
      ready.push(...list.filter((held) => !waiting.includes(held)));
      this.keep(peer, waiting);
    }
    return ready;
  }

  /** Forgets everything `peer` had held (it left, or was closed). */
  drop(peer: Peer): void {
    this.byPeer.delete(peer);
    this.bytes.delete(peer);
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.byPeer.clear();
    this.bytes.clear();
  }

  private keep(peer: Peer, list: HeldUpdate[]): void {
    if (list.length === 0) return this.drop(peer);
    this.byPeer.set(peer, list);
    this.bytes.set(
      peer,
      list.reduce((sum, held) => sum + held.update.byteLength, 0),
    );
  }

  private oldest(): number {
    let oldest = Infinity;
    for (const list of this.byPeer.values())
      for (const held of list) oldest = Math.min(oldest, held.heldSince);
    return oldest;
  }

  private armTimer(): void {
    if (this.timer) return;
    const oldest = this.oldest();
    if (oldest === Infinity) return;
    const wait = Math.max(0, oldest + this.limits.maxMs - Date.now());
    this.timer = setTimeout(() => this.expire(), wait);
    this.timer.unref();
  }

  private expire(): void {
    this.timer = null;
    const deadline = Date.now() - this.limits.maxMs;
    const expired: Peer[] = [];
    for (const [peer, list] of this.byPeer) {
      if (list.some((held) => held.heldSince <= deadline)) expired.push(peer);
    }
    for (const peer of expired) this.drop(peer);
    if (expired.length > 0) this.onExpired(expired);
    this.armTimer();
  }
}
