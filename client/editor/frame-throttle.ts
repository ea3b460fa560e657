/**
 * Runs the latest scheduled task at most once per animation frame, and never sooner than
 * `minIntervalMs` after the last run (FRAME_MIN_INTERVAL_MS by default: a 120 or 144 Hz screen
 * still sends about 60 updates a second, well within the server's RATE_UPDATES_PER_S of 120, so
 * a long drag is never slowed down or refused). `flush` runs a pending task now (on pointer up);
 * `cancel` drops it.
 */
export const FRAME_MIN_INTERVAL_MS = 15;

export class FrameThrottle {
  private pending: (() => void) | null = null;
  private frame = 0;
  private lastRun = -Infinity;
  private minIntervalMs = FRAME_MIN_INTERVAL_MS;

  schedule(task: () => void, minIntervalMs = FRAME_MIN_INTERVAL_MS): void {
    this.pending = task;
    this.minIntervalMs = minIntervalMs;
    if (this.frame === 0) this.frame = requestAnimationFrame((now) => this.onFrame(now));
  }

  /** Runs the pending task now; `at` is the time it counts as run (a frame's timestamp). */
  flush(at: number = performance.now()): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const task = this.pending;
    this.pending = null;
    if (!task) return;
    this.lastRun = at;
    task();
  }

  cancel(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending = null;
  }

  private onFrame(now: number): void {
    this.frame = 0;
    if (now - this.lastRun < this.minIntervalMs) {
      this.frame = requestAnimationFrame((later) => this.onFrame(later));
      return;
    }
    this.flush(now);
  }
}

/** Calls `task` at most every `intervalMs`, always delivering the latest call (trailing). */
export class IntervalThrottle<T> {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: T | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly task: (value: T) => void,
  ) {}

  push(value: T): void {
    this.latest = value;
    const wait = this.last + this.intervalMs - performance.now();
    if (wait <= 0 && !this.timer) return this.run();
    this.timer ??= setTimeout(() => this.run(), Math.max(0, wait));
  }

  private run(): void {
    this.timer = null;
    this.last = performance.now();
    this.task(this.latest as T);
  }
}
