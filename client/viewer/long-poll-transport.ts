/**
 * The board by long polling, for networks where SSE keeps failing (buffering proxies) or on
 * `?transport=longpoll`: one request at a time, `since` = the version held; 204 means "ask
 * again", a patch that does not fit means "ask for a snapshot" (no `since`).
 */
import type { BoardState } from './board-state.ts';
import { parseFeedMessage } from './board-state.ts';
import type { FeedUrls } from './feed-urls.ts';
import { backoffMs, isGoneAnswer, type Transport, type TransportEvents } from './transport.ts';

export class LongPollTransport implements Transport {
  private readonly abort = new AbortController();
  private failures = 0;

  constructor(
    private readonly urls: FeedUrls,
    private readonly board: BoardState,
    private readonly events: TransportEvents,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const response = await fetch(this.urls.poll(this.board.version), {
          cache: 'no-store',
          signal: this.abort.signal,
        });
        if (await isGoneAnswer(response)) return this.events.status('gone');
        if (response.status === 404 || response.status === 400)
          return this.events.status('not-found');
        if (response.status === 401) await this.urls.renewToken(); // JWT mode: token expired
        if (response.status !== 200 && response.status !== 204)
          throw new Error(`poll answered ${response.status}`);
        const inStep = response.status === 204 || this.receive(await response.json());
        this.failures = 0;
        this.events.status(inStep ? 'live' : 'behind');
      } catch {
        if (this.abort.signal.aborted) return;
        this.failures++;
        this.events.status('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(this.failures)));
      }
    }
  }

  /** Applies an answer; false when it did not fit and a snapshot is needed. */
  private receive(body: unknown): boolean {
    const message = parseFeedMessage(body);
    if (!message) throw new Error('unexpected poll answer');
    if ('snapshot' in message) {
      this.board.applySnapshot(message.snapshot);
      this.events.replace(message.snapshot.shapes);
      return true;
    }
    if (this.board.applyPatch(message.patch)) {
      this.events.patch(message.patch.upsert, message.patch.remove);
      return true;
    }
    this.board.version = null; // the next poll brings a snapshot
    return false;
  }
}
