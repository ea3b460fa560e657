/**
 * One SSE viewer: writes the shared, already-encoded frames of its board to one response, and
 * keeps a slow reader from making the server buffer without bound.
 *
 * Each patch is written only while the socket's unsent bytes stay under `slowViewerBytes` (plus
 * the size of the last snapshot written, so a big board's snapshot alone does not count as
 * slow). Past that the stream skips: no more patches until the socket drains, then one fresh
 * snapshot when anything was missed. A stream still skipping after `stalledViewerMs`, or one
 * whose unsent bytes would pass `maxViewerBytes`, is cut. So a viewer costs the server at most
 * about slowViewerBytes + one snapshot + one patch, whatever it does.
 */
import type { ServerResponse } from 'node:http';
import { FEED_EVENTS, GONE_MESSAGE } from '../../../common/board/snapshot.ts';
import type { BoardFeed, Catchup, FeedListener } from './board-feed.ts';
import type { Encoded } from './encoded.ts';
import type { DisconnectReason, ViewerMetrics } from './viewer-metrics.ts';
import type { ViewerOptions } from './viewer-options.ts';

export const KEEPALIVE_FRAME = Buffer.from(': keepalive\n\n');
const GONE_FRAME = `event: ${FEED_EVENTS.GONE}\ndata: ${JSON.stringify({ error: GONE_MESSAGE })}\n\n`;

export interface SseStreamDeps {
  feed: BoardFeed;
  /** The id the viewer asked by; its snapshots carry it. */
  requestedId: string;
  options: ViewerOptions;
  metrics: ViewerMetrics;
  /** Called once when the stream ends, however it ends. */
  onEnd(): void;
}

export class SseStream implements FeedListener {
  readonly kind = 'stream';
  /** The version the viewer has (or will have once its socket drains). */
  private sentVersion: string | null = null;
  private snapshotBytes = 0;
  private skipping = false;
  private stallTimer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly deps: SseStreamDeps,
  ) {
    res.on('close', () => this.finish());
  }

  /** Sends the headers, the retry hint and what the viewer lacks since `lastEventId`. */
  start(lastEventId: string | null): void {
    this.res.socket?.setNoDelay(true);
    this.res.write(`retry: ${this.deps.options.retryMs}\n\n`);
    this.sentVersion = lastEventId;
    this.deps.feed.addListener(this);
    this.send(this.deps.feed.catchup(lastEventId, this.deps.requestedId));
  }

  get bufferedBytes(): number {
    return this.ended ? 0 : this.res.writableLength;
  }

  onPublish(patch: Encoded): void {
    if (this.ended || this.skipping) return;
    if (this.res.writableLength > this.deps.options.slowViewerBytes + this.snapshotBytes) {
      this.startSkipping();
      return;
    }
    // Usually the viewer has the patch's base, and the catch-up is that very (shared) patch.
    if (this.sentVersion !== patch.version) {
      this.send(this.deps.feed.catchup(this.sentVersion, this.deps.requestedId));
    }
  }

  keepalive(): void {
    if (!this.ended && !this.skipping) this.write(KEEPALIVE_FRAME);
  }

  onFeedClosed(): void {
    this.end();
  }

  get requestedId(): string {
    return this.deps.requestedId;
  }

  /** The link was reset or the board deleted: `event: gone`, then the end of the stream. */
  onGone(): void {
    if (this.ended) return;
    this.res.end(GONE_FRAME);
    this.finish();
  }

  /** Ends the stream politely (shutdown, board unloading). */
  end(): void {
    if (this.ended) return;
    this.res.end();
    this.finish();
  }

  private send(catchup: Catchup): void {
    if (catchup.kind === 'current') return;
    if (catchup.kind === 'snapshot') this.snapshotBytes = catchup.encoded.frame.byteLength;
    this.sentVersion = catchup.encoded.version;
    this.write(catchup.encoded.frame);
  }

  private write(frame: Buffer): void {
    if (this.res.writableLength + frame.byteLength > this.deps.options.maxViewerBytes) {
      this.cut('too_far_behind');
      return;
    }
    this.res.write(frame);
    this.deps.metrics.sentBytes.inc(frame.byteLength);
  }

  private startSkipping(): void {
    this.skipping = true;
    this.deps.metrics.skips.inc();
    this.res.once('drain', () => this.resume());
    this.stallTimer = setTimeout(() => this.cut('stalled'), this.deps.options.stalledViewerMs);
    this.stallTimer.unref();
  }

  /** Drained: skip straight to the current version with one fresh snapshot. */
  private resume(): void {
    if (this.ended) return;
    this.skipping = false;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (this.sentVersion === this.deps.feed.version) return;
    this.send({ kind: 'snapshot', encoded: this.deps.feed.snapshot(this.deps.requestedId) });
  }

  /** Drops the connection and its unsent bytes at once. */
  private cut(reason: DisconnectReason): void {
    if (this.ended) return;
    this.deps.metrics.disconnects.inc({ reason });
    this.res.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.deps.feed.removeListener(this);
    this.deps.onEnd();
  }
}
