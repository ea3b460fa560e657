/**
 * The order of a session's up batches. A client may have several POSTs in flight (so an edit
 * need not wait for the previous one's commit); each carries `?batch=<n>` (1, 2, 3…) and they
 * are handed to the session in that order, whatever order they arrive in. A batch number
 * already handled is a re-send (its answer was lost): it is not handled again. A gap that does
 * not fill within `maxWaitMs` (a request lost on the way) fails the waiting batches; the
 * session is then closed (1013) and the client resyncs on a new one.
 */

export type Turn = 'go' | 'duplicate' | 'timeout';

export class BatchOrder {
  private next = 1;
  private readonly waiting = new Map<number, (turn: Turn) => void>();

  constructor(
    private readonly maxWaitMs: number,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves when batch `n` may be handled (0: unnumbered, handled on arrival). */
  turn(n: number): Promise<Turn> {
    if (n === 0 || n === this.next) return Promise.resolve('go');
    if (n < this.next) return Promise.resolve('duplicate');
    if (this.waiting.size >= this.maxWaiting || this.waiting.has(n))
      return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(n);
        resolve('timeout');
      }, this.maxWaitMs);
      timer.unref();
      this.waiting.set(n, (turn) => {
        clearTimeout(timer);
        resolve(turn);
      });
    });
  }

  /** Batch `n` was handed over: the next one may go. */
  done(n: number): void {
    if (n === 0 || n < this.next) return;
    this.next = n + 1;
    const wake = this.waiting.get(this.next);
    if (!wake) return;
    this.waiting.delete(this.next);
    wake('go');
  }
}
