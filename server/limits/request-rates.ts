/**
 * Per-client-address request rates for HTTP routes that change boards (the shapes API, history
 * restores): a token bucket per address (token-bucket.ts), past it HTTP 429 with `Retry-After`.
 * Buckets that have refilled completely carry no information and are forgotten on the next sweep,
 * so the map holds only addresses active within the last few seconds.
 */
import type { Counter } from 'prom-client';
import { TokenBucket } from './token-bucket.ts';

/** How often idle buckets are swept out (a sweep walks the map once). */
const SWEEP_EVERY_MS = 10_000;

export class RequestRates {
  private readonly buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  private sweptAt = Date.now();

  constructor(
    /** Its name in the refusal metric: `rate_limited_<kind>`. */
    private readonly kind: string,
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly refusals: Counter<'reason'> | null = null,
  ) {}

  /** Spends one request of `address`; false (counted) when it is over its rate. */
  take(address: string): boolean {
    const now = Date.now();
    this.sweep(now);
    let entry = this.buckets.get(address);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.perSecond, this.burst), usedAt: now };
      this.buckets.set(address, entry);
    }
    entry.usedAt = now;
    if (entry.bucket.take()) return true;
    this.refusals?.inc({ reason: `rate_limited_${this.kind}` });
    return false;
  }

  /** Seconds until `address` has a request again, for `Retry-After`. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / this.perSecond));
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    const refillMs = (this.burst / this.perSecond) * 1_000;
    for (const [address, entry] of this.buckets)
      if (now - entry.usedAt > refillMs) this.buckets.delete(address);
  }
}
