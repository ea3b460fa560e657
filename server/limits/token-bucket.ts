/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. `take()` spends one or says no. Used
 * per connection and per message kind (frame-throttle.ts), so a flood costs one comparison a frame.
 */

/** The default clock, one function for every bucket (a closure per bucket cost 56 bytes each). */
const performanceNow = (): number => performance.now();

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = performanceNow,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) * this.perSecond) / 1_000,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
