/**
 * The messages of one HTTP session, numbered: each frame the room sends gets the next sequence
 * number and stays here until the client acknowledges it (a later `after` / `Last-Event-ID`, or
 * `?ack=` on a POST), so a dropped down-request resumes without losing anything. Bounded: past
 * `maxBytes` the oldest are dropped, and a client that asks for something dropped is answered
 * with a fresh sync instead (`hasGapAfter`): the session never buffers without limit.
 */

export interface Numbered {
  seq: number;
  frame: Uint8Array;
  /** A fresh sync's frame: never dropped for the bound (it is what replaces what was dropped). */
  pinned: boolean;
}

export class SessionOutbox {
  private readonly entries: Numbered[] = [];
  private bytes = 0;
  /** The highest sequence number handed out (0: none yet). */
  private last = 0;
  /** The highest sequence number dropped unacknowledged for the bound. */
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  get lastSeq(): number {
    return this.last;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  push(frame: Uint8Array, pinned = false): Numbered {
    const entry = { seq: ++this.last, frame, pinned };
    this.entries.push(entry);
    this.bytes += frame.byteLength;
    if (!pinned) this.enforceBound();
    return entry;
  }

  /**
   * Drops the oldest unpinned entries past the bound. The newest entry always stays (one frame,
   * a whole board, may itself be over it), and so does a fresh sync (at most one full state).
   */
  private enforceBound(): void {
    let i = 0;
    while (this.bytes > this.maxBytes && i < this.entries.length - 1) {
      const entry = this.entries[i] as Numbered;
      if (entry.pinned) {
        i++;
        continue;
      }
      this.entries.splice(i, 1);
      this.bytes -= entry.frame.byteLength;
      this.dropped = Math.max(this.dropped, entry.seq);
    }
  }

  /** The client has everything up to `seq`: forget it. */
  acknowledge(seq: number): void {
    while (this.entries.length > 0 && (this.entries[0] as Numbered).seq <= seq) this.dropOldest();
  }

  /** True when something after `seq` was dropped (or `seq` was never handed out). */
  hasGapAfter(seq: number): boolean {
    if (seq > this.last || seq < 0) return true;
    if (this.dropped > seq) return true;
    const oldest = this.entries[0];
    return oldest ? oldest.seq > seq + 1 : seq < this.last;
  }

  /** The retained entries after `seq`, in order. */
  after(seq: number): Numbered[] {
    return this.entries.filter((entry) => entry.seq > seq);
  }

  /** Forgets every entry (a fresh sync replaces them); numbering goes on. */
  clear(): void {
    this.entries.length = 0;
    this.bytes = 0;
  }

  private dropOldest(): void {
    const dropped = this.entries.shift();
    if (dropped) this.bytes -= dropped.frame.byteLength;
  }
}
