/**
 * Per-connection rate limits (PROTOCOL.md "Rate limits"), the same for every transport. Each
 * frame spends a token from its kind's bucket: sync frames (type 0) from one, awareness, query
 * and token frames from the other. A frame that finds its bucket empty waits, in order with
 * every later frame, and the transport is paused until the queue drains: a client just over the
 * rate is slowed down and loses nothing. When a whole burst of one kind is already waiting, the
 * next frame of that kind is a flood.
 *
 * Thousands of connections sit idle, so a throttle costs little until it is used: a kind's
 * bucket is made (full, as it would be by then anyway) by the first frame of that kind, and the
 * queue by the first frame that has to wait. The handlers are the session's own methods.
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
  pauseInput(): void;
  /** Take input again: nothing waits any more. */
  resumeInput(): void;
  /** More than a burst of `kind` is waiting; the caller closes the connection. */
  flood(kind: FrameKind): void;
  /** False once the connection is closing: waiting frames are then dropped. */
  isAccepting(): boolean;
}

export function frameKind(frame: Uint8Array): FrameKind {
  return frame[0] === MESSAGE_TYPE.SYNC ? 'update' : 'presence';
}

/** Frames waiting for their bucket, in arrival order, and how many of each kind. */
interface WaitingFrames {
  frames: Array<{ frame: Uint8Array; kind: FrameKind }>;
  update: number;
  presence: number;
}

export class FrameThrottle {
  private updates: TokenBucket | null = null;
  private presence: TokenBucket | null = null;
  /** Null until a frame has to wait, and again once none does. */
  private waiting: WaitingFrames | null = null;
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(
    private readonly rates: FrameRates,
    private readonly handlers: ThrottleHandlers,
  ) {}

  push(frame: Uint8Array): void {
    if (this.disposed) return;
    const kind = frameKind(frame);
    if (!this.waiting && this.bucket(kind).take()) return this.handlers.admit(frame);
    const waiting = (this.waiting ??= { frames: [], update: 0, presence: 0 });
    if (waiting[kind] >= this.burst(kind)) return this.handlers.flood(kind);
    waiting.frames.push({ frame, kind });
    waiting[kind]++;
    this.handlers.pauseInput();
    this.timer ??= setTimeout(() => this.release(), THROTTLE_TICK_MS);
  }

  /** Frames waiting for their bucket. */
  get pending(): number {
    return this.waiting?.frames.length ?? 0;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
  }

  /** The bucket of `kind`, made full by its first frame. */
  private bucket(kind: FrameKind): TokenBucket {
    const { rates } = this;
    if (kind === 'update')
      return (this.updates ??= new TokenBucket(rates.updatesPerSecond, rates.updatesBurst));
    return (this.presence ??= new TokenBucket(rates.presencePerSecond, rates.presenceBurst));
  }

  private burst(kind: FrameKind): number {
    return kind === 'update' ? this.rates.updatesBurst : this.rates.presenceBurst;
  }

  private release(): void {
    this.timer = null;
    const waiting = this.waiting;
    while (!this.disposed && waiting && this.handlers.isAccepting() && waiting.frames.length > 0) {
      const next = waiting.frames[0] as WaitingFrames['frames'][number];
      if (!this.bucket(next.kind).take()) break;
      waiting.frames.shift();
      waiting[next.kind]--;
      this.handlers.admit(next.frame);
    }
    if (this.disposed || !waiting) return;
    if (waiting.frames.length > 0) {
      this.timer = setTimeout(() => this.release(), THROTTLE_TICK_MS);
      return;
    }
    this.waiting = null;
    this.handlers.resumeInput();
  }
}
