/**
 * A token bucket per client address, for requests that cost real storage (image uploads): each
 * address may spend `burst` at once and gets `perMinute` back per minute. An address whose bucket
 * has refilled completely is forgotten on the next sweep, so the map holds only addresses that
 * spent something recently.
 */

interface Bucket {
  tokens: number;
  at: number;
}

/** Sweep at most this often; a sweep is one pass over the map. */
const SWEEP_INTERVAL_MS = 60_000;

export class AddressRate {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number = perMinute,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweptAt = now();
  }

  /** Spends one token of `address`; false when it has none left (the caller answers 429). */
  take(address: string): boolean {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(address) ?? { tokens: this.burst, at: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    this.buckets.set(address, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until `address` may try again (for Retry-After). */
  retryAfterSeconds(address: string): number {
    const bucket = this.buckets.get(address);
    if (!bucket) return 0;
    const missing = 1 - this.refilled(bucket, this.now());
    return missing <= 0 ? 0 : Math.ceil((missing * 60) / this.perMinute);
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_INTERVAL_MS) return;
    this.sweptAt = now;
    for (const [address, bucket] of this.buckets)
      if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(address);
  }
}
