/**
 * When a room's write queue may flush: at once while the room is calm, at most once per tick
 * while it is busy.
 *
 * A calm room (a person or two dragging: up to a few updates per tick) has every update committed
 * and relayed the moment it arrives, so nobody waits. A busy room (many people editing at once)
 * would otherwise commit and relay each update on its own: one transaction and one frame per
 * reader per update, which at 50 writers is most of a core and a frame stream no browser wants.
 * Past BUSY_UPDATES_PER_TICK updates in one tick, and for the tick after, the queue is flushed
 * once per tick: every update that arrived in it is committed in one transaction and relayed to
 * each reader as one merged frame. An update then waits at most one tick (33 ms at 30 Hz).
 */

/** The busy room's flush rate: 30 Hz, the rate at which people see others' edits as smooth. */
export const BUSY_TICK_MS = 1000 / 30;
/** More peer updates than this in one tick make the room busy (about four 60 Hz draggers). */
export const BUSY_UPDATES_PER_TICK = 8;

export class FlushPacer {
  private tickStartedAt = Number.NEGATIVE_INFINITY;
  private updatesThisTick = 0;
  /** The tick before this one was busy. */
  private lastTickBusy = false;
  private lastFlushStartedAt = Number.NEGATIVE_INFINITY;

  /** A peer update arrived at `now` (performance.now()). */
  noteUpdate(now: number): void {
    const sinceTick = now - this.tickStartedAt;
    if (sinceTick >= BUSY_TICK_MS) {
      // A tick that ended more than a tick ago was followed by a quiet one.
      this.lastTickBusy =
        sinceTick < 2 * BUSY_TICK_MS && this.updatesThisTick > BUSY_UPDATES_PER_TICK;
      this.tickStartedAt = now;
      this.updatesThisTick = 0;
    }
    this.updatesThisTick++;
  }

  /** A flush starts at `now`. */
  noteFlush(now: number): void {
    this.lastFlushStartedAt = now;
  }

  /** How long a flush due at `now` waits: 0 while calm, the rest of the tick while busy. */
  delayAt(now: number): number {
    const busy = this.lastTickBusy || this.updatesThisTick > BUSY_UPDATES_PER_TICK;
    if (!busy || now - this.tickStartedAt >= 2 * BUSY_TICK_MS) return 0;
    return Math.max(0, this.lastFlushStartedAt + BUSY_TICK_MS - now);
  }
}
