/**
 * What every viewer route shares: the options, the metrics, the open streams and polls (for the
 * keepalive, the buffered-bytes gauge and shutdown), and the way in to a board's feed.
 *
 * A server has one hub. It keeps one feed per loaded room (a subscriber of that room, dropped
 * when the room unloads), so a test can run a second hub with short timeouts over the same rooms
 * without the two sharing state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBoardId } from '../../../common/board/ids.ts';
import { GONE_MESSAGE } from '../../../common/board/snapshot.ts';
import type { AppContext } from '../../app-context.ts';
import { sendError } from '../../http/respond.ts';
import type { Room } from '../../room/room.ts';
import type { RoomLease } from '../../room/room-registry.ts';
import { BoardGoneError } from '../../storage/board-store.ts';
import { BoardFeed } from './board-feed.ts';
import { CORS_HEADERS } from './cors.ts';
import type { SseStream } from './sse-stream.ts';
import { createViewerMetrics, type ViewerMetrics } from './viewer-metrics.ts';
import type { ViewerOptions } from './viewer-options.ts';

/** A board held open for one request: release the lease exactly once when done. */
export interface OpenBoard {
  lease: RoomLease;
  feed: BoardFeed;
  /** The id the request used (edit or view); what the answer may show. */
  requestedId: string;
}

/** Something a shutdown must finish: an open stream or a waiting poll. */
export interface Finishable {
  end(): void;
}

export class ViewerHub {
  readonly metrics: ViewerMetrics;
  readonly streams = new Set<SseStream>();
  readonly polls = new Set<Finishable>();
  private readonly feeds = new Map<Room, BoardFeed>();
  private readonly keepaliveTimer: NodeJS.Timeout;

  constructor(
    readonly ctx: AppContext,
    readonly options: ViewerOptions,
  ) {
    this.metrics = createViewerMetrics(ctx.metrics.registry, () => this.bufferedBytes());
    this.keepaliveTimer = setInterval(() => this.keepalive(), options.keepaliveMs);
    this.keepaliveTimer.unref();
    ctx.onShutdown(() => this.closeAll());
  }

  /**
   * Checks the id, finds the board without creating it and holds its room. Answers the error
   * itself (400 bad id, 404 no such board or a reset link, 503 shutting down) and returns null
   * then.
   */
  async open(res: ServerResponse, id: string | undefined): Promise<OpenBoard | null> {
    if (this.ctx.isShuttingDown()) return this.refuse(res, 503, 'shutting down');
    if (!isValidBoardId(id)) return this.refuse(res, 400, 'bad board id');
    const access = await this.ctx.registry.resolve(id, false);
    if (!access) {
      const reset = await this.ctx.store.isRetired(id).catch(() => false);
      return this.refuse(res, 404, reset ? GONE_MESSAGE : 'no such board');
    }
    let lease: RoomLease;
    try {
      lease = await this.ctx.registry.acquire(access.board);
    } catch (error) {
      if (error instanceof BoardGoneError) return this.refuse(res, 404, GONE_MESSAGE);
      throw error;
    }
    const board = { lease, feed: this.feedOf(lease.room), requestedId: id };
    return this.stillOpen(res, board) ? board : null;
  }

  /**
   * Whether the board still answers to the id (a link reset since the lookup: released, 404).
   * Called again in the tick a stream or poll starts listening, so none can miss a reset.
   */
  stillOpen(res: ServerResponse, board: OpenBoard): boolean {
    if (board.lease.room.roleOf(board.requestedId)) return true;
    board.lease.release();
    this.refuse(res, 404, GONE_MESSAGE);
    return false;
  }

  /** The room's feed, created on first use and dropped when the room unloads. */
  private feedOf(room: Room): BoardFeed {
    let feed = this.feeds.get(room);
    if (!feed) {
      feed = new BoardFeed(room, this.options, this.metrics, () => this.feeds.delete(room));
      this.feeds.set(room, feed);
    }
    return feed;
  }

  /**
   * Takes one of the client address's slots for an open stream or waiting poll (per-IP caps,
   * server/limits/ip-slots.ts), freed when the response closes; answers 429 and returns false
   * when the address has none left.
   */
  takeAddressSlot(kind: 'sse' | 'longPoll', req: IncomingMessage, res: ServerResponse): boolean {
    const { limits } = this.ctx;
    const release = limits[kind].acquire(limits.clientAddress(req));
    if (!release) {
      const what = kind === 'sse' ? 'streams' : 'long polls';
      this.refuse(res, 429, `too many ${what} from this address`, {
        'retry-after': kind === 'sse' ? '5' : '1',
      });
      return false;
    }
    res.once('close', release);
    return true;
  }

  refuse(
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ): null {
    sendError(res, status, message, { ...CORS_HEADERS, ...headers });
    return null;
  }

  private keepalive(): void {
    for (const stream of this.streams) stream.keepalive();
  }

  private bufferedBytes(): { total: number; max: number } {
    let total = 0;
    let max = 0;
    for (const stream of this.streams) {
      const bytes = stream.bufferedBytes;
      total += bytes;
      max = Math.max(max, bytes);
    }
    return { total, max };
  }

  private closeAll(): void {
    clearInterval(this.keepaliveTimer);
    for (const stream of [...this.streams]) stream.end();
    for (const poll of [...this.polls]) poll.end();
  }
}
