/**
 * The "live" dot: green when up to date, amber when behind (a resync, or changes received but
 * not drawn for a while, e.g. in a background tab), pulsing amber while reconnecting, grey
 * while connecting, red when the board does not exist or its link was reset (or the board
 * deleted). Its state is also in `data-state`.
 */
import { GONE_TEXT } from '../../common/board/snapshot.ts';
import type { FeedStatus } from './transport.ts';

export type IndicatorState = FeedStatus;

const LABELS: Record<IndicatorState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  behind: 'Catching up…',
  reconnecting: 'Reconnecting…',
  'not-found': 'Board not found',
  gone: GONE_TEXT,
};

/** Changes waiting this long to be drawn count as "behind". */
export const BEHIND_AFTER_MS = 1_000;

export class LiveIndicator {
  private status: FeedStatus = 'connecting';
  private lagging = false;

  constructor(
    private readonly dot: HTMLElement,
    private readonly label: HTMLElement,
  ) {
    this.render();
  }

  setStatus(status: FeedStatus): void {
    this.status = status;
    this.render();
  }

  /** How long received changes have waited to be drawn. */
  setDrawLag(lagMs: number): void {
    const lagging = lagMs > BEHIND_AFTER_MS;
    if (lagging === this.lagging) return;
    this.lagging = lagging;
    this.render();
  }

  get state(): IndicatorState {
    return this.status === 'live' && this.lagging ? 'behind' : this.status;
  }

  private render(): void {
    const state = this.state;
    this.dot.dataset.state = state;
    this.dot.title = LABELS[state];
    this.label.textContent = LABELS[state];
  }
}
