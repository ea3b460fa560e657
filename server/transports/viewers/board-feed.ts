/**
 * The viewers' side of one loaded board (a subscriber of its room, one per room and hub): it
 * turns the room's shape changes into versions and patches, once, for every viewer of the board.
 *
 * - the room's `shapesChanged` events collect the ids changed since the last tick (the room
 *   reports only changes already committed, so a viewer never sees anything that could be lost); a tick, at most every
 *   `tickMs`, reads just those shapes and publishes one patch: an id whose shape is valid is an
 *   upsert, an id that was published and is now gone or invalid is a remove. Invalid shapes never
 *   leave the server. A tick that changes nothing visible publishes nothing.
 * - `version` is `<epoch>.<counter>`; the epoch is random per load, so a version from before a
 *   restart (or an unload) is unknown here and gets a snapshot, never a wrong patch.
 * - Encodings are cached for the current version and dropped at the next publish: the patch
 *   frame every stream gets, the snapshot per asked-for id (edit or view, at most two), merged
 *   resume patches per base, and the SVG image. Nothing is encoded per viewer.
 *
 * A snapshot is read from the document when first asked for, so it may already hold changes the
 * next patch carries; applying a patch is idempotent (upsert whole shapes, remove ids), so a
 * viewer that applies it anyway ends in the same state.
 */
import { newRandomId } from '../../../common/board/ids.ts';
import type { Shape } from '../../../common/board/shape.ts';
import type { Patch } from '../../../common/board/snapshot.ts';
import type { Room } from '../../room/room.ts';
import type { RoomSubscriber, ShapesChange } from '../../room/room-events.ts';
import { Encoded } from './encoded.ts';
import { PatchRing } from './patch-ring.ts';
import type { ViewerMetrics } from './viewer-metrics.ts';
import type { ViewerOptions } from './viewer-options.ts';

/** A stream or a waiting poll, told about each new version. */
export interface FeedListener {
  readonly kind: 'stream' | 'poll';
  /** The id it was opened with (edit or view). */
  readonly requestedId: string;
  onPublish(patch: Encoded): void;
  /** The board is unloading (shutdown): finish now. */
  onFeedClosed(): void;
  /** Its id was reset or the board deleted: tell the viewer not to come back, and finish. */
  onGone(): void;
}

/** What a viewer at `since` needs: nothing, a merged patch, or the whole snapshot. */
export type Catchup = { kind: 'current' } | { kind: 'patch' | 'snapshot'; encoded: Encoded };

/** Merged resume patches cached per version; more distinct bases than this are encoded uncached. */
const MAX_CACHED_RESUMES = 8;
const EPOCH_BYTES = 6;

export class BoardFeed implements RoomSubscriber {
  private readonly epoch = newRandomId(EPOCH_BYTES);
  private counter = 0;
  private readonly dirty = new Set<string>();
  /** Ids of the valid shapes as last published, so removes name only shapes viewers have. */
  private readonly published = new Set<string>();
  private readonly ring: PatchRing;
  private readonly listeners = new Set<FeedListener>();
  private readonly counts = { stream: 0, poll: 0 };
  private readonly unsubscribe: () => void;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastPublishAt = 0;
  private shapesJson: Buffer | null = null;
  private readonly snapshots = new Map<string, Encoded>();
  private readonly resumes = new Map<string, Encoded>();
  /** The SVG per requested id (images link to assets by that id), for the current version. */
  private readonly svg = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly room: Room,
    private readonly options: ViewerOptions,
    private readonly metrics: ViewerMetrics,
    /** Called once the feed is closed (its room unloaded). */
    private readonly onClosed: () => void = () => {},
  ) {
    this.ring = new PatchRing(options.ringMaxPatches, options.ringMaxBytes);
    for (const shape of room.readShapes()) this.published.add(shape.id);
    this.unsubscribe = room.subscribe(this);
  }

  shapesChanged(change: ShapesChange): void {
    this.markDirty(change.ids);
  }

  roomClosed(): void {
    this.destroy();
  }

  get version(): string {
    return `${this.epoch}.${this.counter}`;
  }

  /** Listeners of one kind (each kind has its own cap per board). */
  count(kind: FeedListener['kind']): number {
    return this.counts[kind];
  }

  addListener(listener: FeedListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.counts[listener.kind]++;
  }

  removeListener(listener: FeedListener): void {
    if (this.listeners.delete(listener)) this.counts[listener.kind]--;
  }

  /** The snapshot as `requestedId` asked for it (a view id never reveals the edit id). */
  snapshot(requestedId: string): Encoded {
    let encoded = this.snapshots.get(requestedId);
    if (!encoded) {
      this.shapesJson ??= this.encodeShapes();
      const head = `{"id":${JSON.stringify(requestedId)},"version":${JSON.stringify(this.version)},"shapes":`;
      const body = Buffer.concat([Buffer.from(head), this.shapesJson, Buffer.from('}')]);
      encoded = new Encoded('snapshot', this.version, body);
      this.snapshots.set(requestedId, encoded);
      this.metrics.encodedBytes.inc(body.byteLength);
    }
    return encoded;
  }

  /** What a viewer that has `since` (null: nothing) needs to reach the current version. */
  catchup(since: string | null, requestedId: string): Catchup {
    if (since === this.version) return { kind: 'current' };
    if (since !== null) {
      const cached = this.resumes.get(since);
      if (cached) return { kind: 'patch', encoded: cached };
      const patch = this.ring.since(since);
      if (patch) return { kind: 'patch', encoded: this.cacheResume(since, patch) };
    }
    return { kind: 'snapshot', encoded: this.snapshot(requestedId) };
  }

  /** The SVG image of the current version, rendered once by `render`. */
  image(requestedId: string, render: (shapes: Shape[], requestedId: string) => string): string {
    let svg = this.svg.get(requestedId);
    if (svg === undefined) {
      svg = render(this.room.readShapes(), requestedId);
      this.svg.set(requestedId, svg);
    }
    return svg;
  }

  /** Ids that stopped working: their listeners are told they are gone (4404's HTTP twin). */
  idsRevoked(ids: readonly string[]): void {
    for (const listener of [...this.listeners])
      if (ids.includes(listener.requestedId)) listener.onGone();
    for (const id of ids) this.snapshots.delete(id);
    for (const id of ids) this.svg.delete(id);
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    for (const listener of [...this.listeners]) listener.onFeedClosed();
    this.listeners.clear();
    this.ring.clear();
    this.clearEncodings();
    this.onClosed();
  }

  private markDirty(ids: ReadonlySet<string>): void {
    for (const id of ids) this.dirty.add(id);
    if (this.tickTimer || this.closed) return;
    const wait = Math.max(0, this.lastPublishAt + this.options.tickMs - Date.now());
    this.tickTimer = setTimeout(() => this.tick(), wait);
    this.tickTimer.unref();
  }

  /** Publishes one patch holding every change since the last tick. */
  private tick(): void {
    this.tickTimer = null;
    const patch = this.collectChanges();
    if (!patch) return;
    this.lastPublishAt = Date.now();
    this.counter++;
    this.clearEncodings();
    const encoded = Encoded.of('patch', patch.version, patch);
    this.ring.push(patch, encoded.body.byteLength);
    this.resumes.set(patch.base, encoded);
    this.metrics.published.inc();
    this.metrics.encodedBytes.inc(encoded.body.byteLength);
    for (const listener of [...this.listeners]) listener.onPublish(encoded);
  }

  /** The patch from the current version to the next, or null when nothing visible changed. */
  private collectChanges(): Patch | null {
    const upsert: Shape[] = [];
    const remove: string[] = [];
    for (const id of this.dirty) {
      const shape = this.room.readShape(id);
      if (shape) {
        upsert.push(shape);
        this.published.add(id);
      } else if (this.published.delete(id)) {
        remove.push(id);
      }
    }
    this.dirty.clear();
    if (upsert.length === 0 && remove.length === 0) return null;
    return { version: `${this.epoch}.${this.counter + 1}`, base: this.version, upsert, remove };
  }

  /**
   * The snapshot reads the live document, so it can show shapes the next tick has yet to
   * publish; counting them as published makes that tick send a remove if they are gone by then.
   */
  private encodeShapes(): Buffer {
    for (const id of this.dirty) this.published.add(id);
    return Buffer.from(JSON.stringify(this.room.readShapes()));
  }

  private cacheResume(base: string, patch: Patch): Encoded {
    const encoded = Encoded.of('patch', patch.version, patch);
    this.metrics.encodedBytes.inc(encoded.body.byteLength);
    if (this.resumes.size < MAX_CACHED_RESUMES) this.resumes.set(base, encoded);
    return encoded;
  }

  private clearEncodings(): void {
    this.shapesJson = null;
    this.snapshots.clear();
    this.resumes.clear();
    this.svg.clear();
  }
}
