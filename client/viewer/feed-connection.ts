/**
 * Keeps the viewer's board up to date: SSE first, long polling when SSE keeps failing or when
 * the page asks for it (`?transport=longpoll`). The transports share one BoardState, so the
 * fallback continues from the version already held.
 */
import { BoardState } from './board-state.ts';
import type { FeedUrls } from './feed-urls.ts';
import { LongPollTransport } from './long-poll-transport.ts';
import { SseTransport } from './sse-transport.ts';
import type { Transport, TransportEvents } from './transport.ts';

export type TransportName = 'sse' | 'longpoll';

/** After falling back to long polling, SSE is tried again this much later (networks change). */
export const SSE_RETRY_AFTER_MS = 5 * 60_000;

export class FeedConnection {
  readonly board = new BoardState();
  private transport: Transport | null = null;
  private current: TransportName;
  private retrySseTimer = 0;

  constructor(
    private readonly urls: FeedUrls,
    private readonly events: TransportEvents,
    preferred: TransportName,
  ) {
    this.current = preferred;
  }

  get transportName(): TransportName {
    return this.current;
  }

  start(): void {
    this.events.status('connecting');
    this.use(this.current);
  }

  stop(): void {
    clearTimeout(this.retrySseTimer);
    this.transport?.stop();
    this.transport = null;
  }

  private use(name: TransportName): void {
    this.transport?.stop();
    this.current = name;
    this.transport =
      name === 'sse'
        ? new SseTransport(this.urls, this.board, this.events, () => this.fallBack())
        : new LongPollTransport(this.urls, this.board, this.events);
    this.transport.start();
  }

  private fallBack(): void {
    this.use('longpoll');
    this.retrySseTimer = window.setTimeout(() => this.use('sse'), SSE_RETRY_AFTER_MS);
  }
}
