/**
 * `GET /api/boards/<id>/poll?since=<version>&timeout=<ms>`: answers as soon as the board differs
 * from `since`: one merged patch when the ring still covers `since`, else the whole snapshot
 * (also when `since` is absent). With no change within the timeout (25 s, or less when asked),
 * 204. Responses are never cached; waiting polls per board are capped (503 beyond).
 */
import type { ServerResponse } from 'node:http';
import { GONE_MESSAGE } from '../../../common/board/snapshot.ts';
import { sendError } from '../../http/respond.ts';
import type { Route } from '../../http/route.ts';
import type { FeedListener } from './board-feed.ts';
import { CORS_HEADERS } from './cors.ts';
import type { Encoded } from './encoded.ts';
import type { OpenBoard, ViewerHub } from './viewer-hub.ts';

const POLL_HEADERS = { 'cache-control': 'no-store', ...CORS_HEADERS };

export function sendEncoded(
  res: ServerResponse,
  encoded: Encoded,
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': encoded.body.byteLength,
    ...headers,
  });
  res.end(encoded.body);
}

/** One waiting poll; it answers exactly once (change, timeout, close or shutdown). */
class PendingPoll implements FeedListener {
  readonly kind = 'poll';
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly board: OpenBoard,
    private readonly since: string,
    timeoutMs: number,
    private readonly onDone: () => void,
  ) {
    this.timer = setTimeout(
      () => this.finish(() => this.res.writeHead(204, POLL_HEADERS).end()),
      timeoutMs,
    );
    res.on('close', () => this.finish(() => undefined));
    board.feed.addListener(this);
  }

  onPublish(): void {
    const catchup = this.board.feed.catchup(this.since, this.board.requestedId);
    if (catchup.kind === 'current') return;
    this.finish(() => sendEncoded(this.res, catchup.encoded, POLL_HEADERS));
  }

  onFeedClosed(): void {
    this.end();
  }

  get requestedId(): string {
    return this.board.requestedId;
  }

  /** The link was reset or the board deleted: 404, as a new poll with that id would get. */
  onGone(): void {
    this.finish(() => sendError(this.res, 404, GONE_MESSAGE, POLL_HEADERS));
  }

  /** Shutdown: tell the client to come back shortly. */
  end(): void {
    this.finish(() => this.res.writeHead(503, { ...POLL_HEADERS, 'retry-after': '1' }).end());
  }

  private finish(answer: () => void): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.board.feed.removeListener(this);
    if (!this.res.headersSent && !this.res.destroyed) answer();
    this.board.lease.release();
    this.onDone();
  }
}

/** The wait asked for by `timeout`, capped; null when it is not a whole number of ms. */
function pollTimeout(raw: string | null, maxMs: number): number | null {
  if (raw === null || raw === '') return maxMs;
  if (!/^\d{1,9}$/.test(raw)) return null;
  return Math.min(Number(raw), maxMs);
}

export function longPollRoute(hub: ViewerHub): Route {
  return {
    method: 'GET',
    path: /^\/api\/boards\/([^/]+)\/poll$/,
    async handle({ req, res, url, params }) {
      const timeoutMs = pollTimeout(url.searchParams.get('timeout'), hub.options.pollTimeoutMs);
      if (timeoutMs === null)
        return void hub.refuse(res, 400, 'timeout must be a number of milliseconds');
      if (!hub.takeAddressSlot('longPoll', req, res)) return;
      const board = await hub.open(res, params[0]);
      if (!board || !hub.stillOpen(res, board)) return;
      const since = url.searchParams.get('since') || null;
      const catchup = board.feed.catchup(since, board.requestedId);
      if (catchup.kind !== 'current' || res.closed || res.destroyed) {
        if (catchup.kind !== 'current') sendEncoded(res, catchup.encoded, POLL_HEADERS);
        return board.lease.release();
      }
      if (board.feed.count('poll') >= hub.options.maxPendingPollsPerBoard) {
        board.lease.release();
        return void hub.refuse(res, 503, 'too many waiting polls on this board', {
          'retry-after': '1',
        });
      }
      wait(hub, res, board, since as string, timeoutMs);
    },
  };
}

function wait(
  hub: ViewerHub,
  res: ServerResponse,
  board: OpenBoard,
  since: string,
  timeoutMs: number,
): void {
  const connections = hub.ctx.metrics.connections;
  connections.inc({ transport: 'longpoll' });
  const poll = new PendingPoll(res, board, since, timeoutMs, () => {
    hub.polls.delete(poll);
    connections.dec({ transport: 'longpoll' });
  });
  hub.polls.add(poll);
}
