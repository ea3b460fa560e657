/**
 * The board over Server-Sent Events. The browser's EventSource reconnects by itself and sends
 * `Last-Event-ID`; when it gives up (an HTTP error), a new one is opened after a backoff with
 * `?lastEventId=` (it cannot set the header). Each failure is checked against the plain snapshot
 * route: while the server answers it but streams keep failing (a proxy that buffers or blocks
 * them), failures are counted, and past `MAX_SSE_FAILURES` in a row the connection falls back to
 * long polling. A server that is down (restarting) is just retried.
 */
import type { Patch, Snapshot } from '../../common/board/snapshot.ts';
import type { BoardState } from './board-state.ts';
import type { FeedUrls } from './feed-urls.ts';
import {
  FEED_EVENTS,
  backoffMs,
  probeBoard,
  type Transport,
  type TransportEvents,
} from './transport.ts';

export const MAX_SSE_FAILURES = 3;
/** A stream open this long counts as healthy even if the board was quiet. */
const HEALTHY_AFTER_MS = 20_000;

export class SseTransport implements Transport {
  private source: EventSource | null = null;
  /** Stream failures in a row while the server was reachable. */
  private failures = 0;
  /** Failed attempts in a row of any kind, for the backoff. */
  private attempts = 0;
  private healthyTimer = 0;
  private retryTimer = 0;
  private stopped = false;

  constructor(
    private readonly urls: FeedUrls,
    private readonly board: BoardState,
    private readonly events: TransportEvents,
    /** Called once SSE failed MAX_SSE_FAILURES times in a row. */
    private readonly onGiveUp: () => void,
  ) {}

  start(): void {
    this.open(this.board.version);
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    clearTimeout(this.healthyTimer);
    clearTimeout(this.retryTimer);
  }

  private open(lastEventId: string | null): void {
    this.source?.close();
    const source = new EventSource(this.urls.events(lastEventId));
    this.source = source;
    source.addEventListener('open', () => {
      this.events.status('live');
      clearTimeout(this.healthyTimer);
      this.healthyTimer = window.setTimeout(() => (this.failures = 0), HEALTHY_AFTER_MS);
    });
    source.addEventListener(FEED_EVENTS.SNAPSHOT, (event) => this.receive(event, true));
    source.addEventListener(FEED_EVENTS.PATCH, (event) => this.receive(event, false));
    source.addEventListener(FEED_EVENTS.EXPIRED, () => void this.renew(source));
    source.addEventListener(FEED_EVENTS.GONE, () => {
      // The link was reset or the board deleted: the server will never serve it again.
      this.stop();
      this.events.status('gone');
    });
    source.addEventListener('error', () => void this.fail(source));
  }

  /** JWT mode: the stream's token expired. Resume with a fresh one from where it stopped. */
  private async renew(source: EventSource): Promise<void> {
    if (this.stopped || source !== this.source) return;
    source.close();
    this.events.status('reconnecting');
    await this.urls.renewToken();
    if (!this.stopped && source === this.source) this.open(this.board.version);
  }

  private receive(event: MessageEvent<string>, isSnapshot: boolean): void {
    this.failures = 0;
    this.attempts = 0;
    const data: unknown = JSON.parse(event.data);
    if (isSnapshot) {
      this.board.applySnapshot(data as Snapshot);
      this.events.replace((data as Snapshot).shapes);
      this.events.status('live');
      return;
    }
    const patch = data as Patch;
    if (this.board.applyPatch(patch)) {
      this.events.patch(patch.upsert, patch.remove);
      return;
    }
    // Out of step (should not happen on one stream): start over from a snapshot.
    this.events.status('behind');
    this.open(null);
  }

  private async fail(source: EventSource): Promise<void> {
    if (this.stopped || source !== this.source) return;
    clearTimeout(this.healthyTimer);
    this.attempts++;
    this.events.status('reconnecting');
    const probe = await probeBoard(this.urls.snapshot());
    if (this.stopped || source !== this.source) return;
    if (probe === 'missing' || probe === 'gone') {
      this.stop();
      this.events.status(probe === 'gone' ? 'gone' : 'not-found');
      return;
    }
    if (probe === 'reachable' && ++this.failures >= MAX_SSE_FAILURES) {
      this.stop();
      this.onGiveUp();
      return;
    }
    if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
    clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(
      () => this.open(this.board.version),
      backoffMs(this.attempts),
    );
  }
}
