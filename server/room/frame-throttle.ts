/**
 * Per-connection rate limits (PROTOCOL.md "Rate limits"), the same for every transport. Each
 * frame spends a token from its kind's bucket: sync frames (type 0) from one, awareness, query
 * and token frames from the other. A frame that finds its bucket empty waits, in order with
 * every later frame, and the transport is paused until the queue drains: a client just over the
 * rate is slowed down and loses nothing. When a whole burst of one kind is already waiting, the
 * next frame of that kind is a flood.
 */
import { MESSAGE_TYPE } from '../../common/protocol/message-types.ts';
import { TokenBucket } from '../limits/token-bucket.ts';

/** How often frames waiting for their bucket are looked at again. */
export const THROTTLE_TICK_MS = 25;

/** Per-connection token buckets (config: RATE_*). */
export interface FrameRates {
  updatesPerSecond: number;
  updatesBurst: number;
  presencePerSecond: number;
  presenceBurst: number;
}

export type FrameKind = 'update' | 'presence';

export interface ThrottleHandlers {
  /** A frame within its rate, in arrival order. */
  admit(frame: Uint8Array): void;
  /** Stop taking input: frames are waiting. */
  pause(): void;
  /** Take input again: nothing waits any more. */
  resume(): void;
  /** More than a burst of `kind` is waiting; the caller closes the connection. */
  flood(kind: FrameKind): void;
  /** False once the connection is closing: waiting frames are then dropped. */
  isOpen(): boolean;
}

export function frameKind(frame: Uint8Array): FrameKind {
  return frame[0] === MESSAGE_TYPE.SYNC ? 'update' : 'presence';
}

export class FrameThrottle {
  private readonly buckets: Record<FrameKind, TokenBucket>;
  private readonly bursts: Record<FrameKind, number>;
  private readonly waiting: Array<{ frame: Uint8Array; kind: FrameKind }> = [];
  private readonly waitingByKind: Record<FrameKind, number> = { update: 0, presence: 0 };
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(
    rates: FrameRates,
    private readonly handlers: ThrottleHandlers,
  ) {
    this.buckets = {
      update: new TokenBucket(rates.updatesPerSecond, rates.updatesBurst),
      presence: new TokenBucket(rates.presencePerSecond, rates.presenceBurst),
    };
    this.bursts = { update: rates.updatesBurst, presence: rates.presenceBurst };
  }

  push(frame: Uint8Array): void {
    if (this.disposed) return;
    const kind = frameKind(frame);
    if (this.waiting.length === 0 && this.buckets[kind].take()) return this.handlers.admit(frame);
    if (this.waitingByKind[kind] >= this.bursts[kind]) return this.handlers.flood(kind);
    this.waiting.push({ frame, kind });
    this.waitingByKind[kind]++;
    this.handlers.pause();
    this.timer ??= setTimeout(() => this.release(), THROTTLE_TICK_MS);
  }

  /** Frames waiting for their bucket. */
  get pending(): number {
    return this.waiting.length;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting.length = 0;
  }

  private release(): void {
    this.timer = null;
    while (!this.disposed && this.handlers.isOpen() && this.waiting.length > 0) {
      const next = this.waiting[0] as (typeof this.waiting)[number];
      if (!this.buckets[next.kind].take()) break;
      this.waiting.shift();
      this.waitingByKind[next.kind]--;
      this.handlers.admit(next.frame);
    }
    if (this.disposed) return;
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.release(), THROTTLE_TICK_MS);
    else this.handlers.resume();
  }
}
