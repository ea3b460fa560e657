/**
 * Presence (awareness) of one room. A peer may set or remove only the client ids it introduced;
 * changes are coalesced and broadcast as one frame that every peer receives, and a leaving
 * peer's ids are removed for everyone. Small rooms flush every tick; as a room grows, changes are
 * coalesced for longer (`presenceFlushDelayMs`), so presence costs at most a set share of the CPU.
 *
 * Scale-out: ids owned by peers of other instances arrive as remote frames. They are relayed,
 * remembered for joiners, and count as taken (a local peer cannot set them) until they go
 * unrenewed for REMOTE_PRESENCE_TIMEOUT_MS, the y-protocols timeout, e.g. after their instance died.
 */
import * as decoding from 'lib0/decoding';
import {
  decodeAwarenessUpdate,
  encodeAwarenessEntries,
  type AwarenessEntry,
} from './awareness-decode.ts';
import { encodeAwarenessFrame } from './sync-frames.ts';
import type { Peer } from './peer.ts';

/** Client ids one connection may introduce (a tab has one; a few covers odd clients). */
export const MAX_CLIENT_IDS_PER_PEER = 4;
/** UTF-8 bytes of one state as the room keeps and relays it; bigger ones are trimmed first. */
export const MAX_RELAYED_STATE_BYTES = 4096;
/** A remote presence not renewed for this long is forgotten (y-protocols clients renew every 15 s). */
export const REMOTE_PRESENCE_TIMEOUT_MS = 30_000;
/** A remote frame carries one tick's changes of a whole instance: more than a peer may send. */
const REMOTE_LIMITS = { maxEntries: 10_000, maxParsedStateBytes: MAX_RELAYED_STATE_BYTES };

/** Settings (config: PRESENCE_TICK_PEERS, PRESENCE_MAX_INTERVAL_MS, PRESENCE_CPU_PERCENT). */
export interface PresencePacing {
  /** Rooms with up to this many peers flush every tick. */
  tickPeers: number;
  /** The size-based delay never exceeds this. */
  maxIntervalMs: number;
  /** Flushing may take at most this share (percent) of the time. */
  cpuPercent: number;
}

/**
 * Each peer beyond `tickPeers` adds this much delay (cost per flush grows with the peer count):
 * 500 peers flush about every 40 ms, so a cursor moving 10 times a second reaches everyone within
 * 100 ms (issue 14: 500 cursors at 10 Hz, p99 ≤ 100 ms); the maximum is reached at ~3,000 peers.
 * The CPU share (PRESENCE_CPU_PERCENT) still stretches the delay when flushes get expensive.
 */
export const PRESENCE_MS_PER_EXTRA_PEER = 0.08;

/**
 * How long to coalesce presence before the next flush: nothing for small rooms, then growing with
 * the room up to `maxIntervalMs`; and at least long enough that the last flush's cost stays under
 * `cpuPercent` of the time (this part is not capped: the CPU share is the promise).
 */
export function presenceFlushDelayMs(
  peers: number,
  lastFlushMs: number,
  pacing: PresencePacing,
): number {
  const bySize =
    peers <= pacing.tickPeers
      ? 0
      : Math.min(pacing.maxIntervalMs, (peers - pacing.tickPeers) * PRESENCE_MS_PER_EXTRA_PEER);
  const byCost = lastFlushMs * (100 / pacing.cpuPercent - 1);
  return Math.max(bySize, byCost);
}

export interface PresenceOptions {
  peerCount(): number;
  /** null: flush every tick. */
  pacing: PresencePacing | null;
  onScheduled?(delayMs: number): void;
  /** How long encoding a flushed frame took (before it is broadcast). */
  onEncoded?(encodeMs: number): void;
}

/** Delays under this are run on the next tick rather than a timer. */
const MIN_TIMER_MS = 1;

/** What `apply` left out: entries for ids others own, and new ids past MAX_CLIENT_IDS_PER_PEER. */
export interface PresenceVerdict {
  foreign: number;
  overIds: number;
}

export class RoomPresence {
  private readonly states = new Map<number, AwarenessEntry>();
  private readonly owners = new Map<number, Peer>();
  private readonly owned = new Map<Peer, Set<number>>();
  private readonly changed = new Set<number>();
  /** States owned on other instances, with when each was last renewed. */
  private readonly remote = new Map<number, { entry: AwarenessEntry; renewedAt: number }>();
  private flushPending = false;
  /** encodeAll's frame; undefined when presence changed since it was encoded. */
  private allFrame: Uint8Array | null | undefined = undefined;
  private destroyed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastFlushMs = 0;

  constructor(
    private readonly broadcast: (frame: Uint8Array) => void,
    private readonly options: PresenceOptions | null = null,
  ) {}

  /**
   * Whether an entry of `peer` for `clientId` would be applied: an id it owns, or one nobody
   * here or on another instance owns. Others are skipped before their state is even parsed.
   */
  wants(peer: Peer, clientId: number): boolean {
    const owner = this.owners.get(clientId);
    return owner ? owner === peer : !this.isRemote(clientId);
  }

  /**
   * Applies entries from `peer`. Entries for client ids owned by another peer are dropped, and
   * so are new ids past MAX_CLIENT_IDS_PER_PEER: presence never closes a connection.
   */
  apply(peer: Peer, entries: readonly AwarenessEntry[]): PresenceVerdict {
    const verdict = { foreign: 0, overIds: 0 };
    for (const entry of entries) {
      const owner = this.owners.get(entry.clientId);
      if (owner && owner !== peer) {
        verdict.foreign++;
        continue;
      }
      if (!owner && entry.state === null) continue; // stock clients echo removals of ids that left: never a claim
      if (!owner && this.isRemote(entry.clientId)) {
        verdict.foreign++;
        continue;
      }
      if (!owner && !this.claim(peer, entry.clientId)) {
        verdict.overIds++;
        continue;
      }
      this.states.set(entry.clientId, entry);
      this.markChanged(entry.clientId);
    }
    return verdict;
  }

  /** Makes `peer` the owner of `clientId`; false when it already has as many ids as it may. */
  private claim(peer: Peer, clientId: number): boolean {
    const mine = this.owned.get(peer) ?? new Set<number>();
    if (mine.size >= MAX_CLIENT_IDS_PER_PEER) return false;
    mine.add(clientId);
    this.owned.set(peer, mine);
    this.owners.set(clientId, peer);
    return true;
  }

  /** The client ids `peer` introduced (a y-websocket client's awareness id is its doc's). */
  idsOf(peer: Peer): ReadonlySet<number> {
    return new Set(this.owned.get(peer) ?? []);
  }

  /** Whether a connection here or on another instance has `clientId` now. */
  isPresent(clientId: number): boolean {
    return this.owners.has(clientId) || this.isRemote(clientId);
  }

  /** Removes every client id `peer` introduced, for everyone. */
  removePeer(peer: Peer): void {
    const mine = this.owned.get(peer);
    if (!mine) return;
    this.owned.delete(peer);
    for (const clientId of mine) {
      this.owners.delete(clientId);
      const current = this.states.get(clientId);
      if (current) {
        // Also when it is already null: that removal may still be unsent, or have reached
        // others with a clock they had; one more with a higher clock settles it.
        this.states.set(clientId, { clientId, clock: current.clock + 1, state: null });
        this.markChanged(clientId);
      }
    }
  }

  /** The names (`user.name`) of everyone present, here and on other instances (board history). */
  names(): string[] {
    const entries = [...this.states.values(), ...[...this.remote.values()].map((r) => r.entry)];
    const names: string[] = [];
    for (const { state } of entries) {
      const user = state?.user as { name?: unknown } | undefined;
      if (typeof user?.name === 'string') names.push(user.name);
    }
    return names;
  }

  /** A frame with every present state, for a joining peer or a query; null when empty. */
  encodeAll(includeRemote = true): Uint8Array | null {
    this.forgetStaleRemote();
    // Cached until presence changes: joins and query-awareness floods then cost no encoding.
    if (includeRemote && this.allFrame !== undefined) return this.allFrame;
    const remote = includeRemote ? [...this.remote.values()].map((item) => item.entry) : [];
    const present = [...this.states.values(), ...remote].filter((entry) => entry.state !== null);
    const frame =
      present.length === 0 ? null : encodeAwarenessFrame(encodeAwarenessEntries(present));
    if (includeRemote) this.allFrame = frame;
    return frame;
  }

  /**
   * Takes a frame from another instance: entries for ids owned here are dropped, the rest are
   * remembered. Returns the frame to relay to local peers, or null when nothing is left.
   */
  applyRemote(frame: Uint8Array): Uint8Array | null {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarUint(decoder); // the message type (awareness)
    const decoded = decodeAwarenessUpdate(decoding.readVarUint8Array(decoder), REMOTE_LIMITS);
    if (!decoded.ok) return null;
    this.forgetStaleRemote();
    const now = Date.now();
    const kept = decoded.entries.filter((entry) => !this.owners.has(entry.clientId));
    for (const entry of kept) {
      if (entry.state === null) this.remote.delete(entry.clientId);
      else this.remote.set(entry.clientId, { entry, renewedAt: now });
    }
    if (kept.length > 0) this.allFrame = undefined;
    if (kept.length === 0) return null;
    return kept.length === decoded.entries.length
      ? frame
      : encodeAwarenessFrame(encodeAwarenessEntries(kept));
  }

  get size(): number {
    return this.states.size;
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.states.clear();
    this.owners.clear();
    this.owned.clear();
    this.changed.clear();
    this.remote.clear();
  }

  private isRemote(clientId: number): boolean {
    const known = this.remote.get(clientId);
    if (!known) return false;
    if (Date.now() - known.renewedAt <= REMOTE_PRESENCE_TIMEOUT_MS) return true;
    this.remote.delete(clientId);
    return false;
  }

  private forgetStaleRemote(): void {
    const oldest = Date.now() - REMOTE_PRESENCE_TIMEOUT_MS;
    for (const [clientId, known] of this.remote) {
      if (known.renewedAt >= oldest) continue;
      this.remote.delete(clientId);
      this.allFrame = undefined;
    }
  }

  private markChanged(clientId: number): void {
    this.allFrame = undefined;
    this.changed.add(clientId);
    if (this.flushPending) return;
    this.flushPending = true;
    const pacing = this.options?.pacing;
    const delayMs = pacing
      ? presenceFlushDelayMs(this.options?.peerCount() ?? 0, this.lastFlushMs, pacing)
      : 0;
    this.options?.onScheduled?.(delayMs);
    if (delayMs < MIN_TIMER_MS) {
      setImmediate(() => this.flush());
    } else {
      this.timer = setTimeout(() => this.flush(), delayMs);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.flushPending = false;
    this.timer = null;
    const started = performance.now();
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
    if (entries.length > 0) {
      const frame = encodeAwarenessFrame(encodeAwarenessEntries(entries));
      this.options?.onEncoded?.(performance.now() - started);
      this.broadcast(frame);
    }
    this.lastFlushMs = performance.now() - started;
  }
}
