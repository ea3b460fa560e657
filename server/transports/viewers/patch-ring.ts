/**
 * The recent patches of one board, oldest first, bounded by count and by encoded bytes, so a
 * viewer that reconnects (`Last-Event-ID`) or polls (`since`) gets exactly what it missed as one
 * merged patch. Versions are contiguous: each patch's `base` is the previous patch's `version`.
 */
import type { Shape } from '../../../common/board/shape.ts';
import type { Patch } from '../../../common/board/snapshot.ts';

interface RingEntry {
  patch: Patch;
  /** Encoded size, for the byte bound. */
  bytes: number;
}

export class PatchRing {
  private entries: RingEntry[] = [];
  /** Index in `entries` of the patch whose base is the key. */
  private readonly byBase = new Map<string, number>();
  /** Entries dropped from the front; indexes in `byBase` are absolute. */
  private dropped = 0;
  private totalBytes = 0;

  constructor(
    private readonly maxPatches: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  push(patch: Patch, bytes: number): void {
    this.byBase.set(patch.base, this.dropped + this.entries.length);
    this.entries.push({ patch, bytes });
    this.totalBytes += bytes;
    while (
      this.entries.length > this.maxPatches ||
      (this.totalBytes > this.maxBytes && this.entries.length > 1)
    ) {
      this.dropOldest();
    }
  }

  /**
   * Everything after `base` merged into one patch (later changes win; a shape removed then added
   * again is an upsert), or null when `base` is not a version the ring can resume from.
   */
  since(base: string): Patch | null {
    const start = this.byBase.get(base);
    if (start === undefined) return null;
    const upsert = new Map<string, Shape>();
    const remove = new Set<string>();
    let version = base;
    for (let i = start - this.dropped; i < this.entries.length; i++) {
      const { patch } = this.entries[i] as RingEntry;
      for (const id of patch.remove) {
        upsert.delete(id);
        remove.add(id);
      }
      for (const shape of patch.upsert) {
        remove.delete(shape.id);
        upsert.set(shape.id, shape);
      }
      version = patch.version;
    }
    return { version, base, upsert: [...upsert.values()], remove: [...remove] };
  }

  clear(): void {
    this.entries = [];
    this.byBase.clear();
    this.totalBytes = 0;
  }

  private dropOldest(): void {
    const oldest = this.entries.shift();
    if (!oldest) return;
    this.byBase.delete(oldest.patch.base);
    this.totalBytes -= oldest.bytes;
    this.dropped++;
  }
}
