/**
 * Runs the latest scheduled task at most once per animation frame, so a drag sends at most one
 * document update per frame; `flush` runs a pending task now (on pointer up).
 */
export class FrameThrottle {
  private pending: (() => void) | null = null;
  private frame = 0;

  schedule(task: () => void): void {
    this.pending = task;
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const task = this.pending;
    this.pending = null;
    task?.();
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
