/** The connection status line: connected, reconnecting in N s, offline with N unsent changes. */
import { GONE_TEXT } from '../../../common/board/snapshot.ts';
import { CLOSE } from '../../../common/protocol/close-codes.ts';
import type { Connection, ConnectionStatus } from '../connection.ts';

const TICK_MS = 500;

export class StatusView {
  private readonly text: HTMLSpanElement;
  /** Built once and only shown or hidden, so a click never lands on a replaced button. */
  private readonly retry: HTMLButtonElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly connection: Connection,
  ) {
    const dot = Object.assign(document.createElement('span'), { className: 'status-dot' });
    this.text = Object.assign(document.createElement('span'), { className: 'status-text' });
    this.retry = Object.assign(document.createElement('button'), {
      className: 'text-button status-retry',
      textContent: 'Retry now',
    });
    this.retry.addEventListener('click', () => connection.retryNow());
    root.replaceChildren(dot, this.text, this.retry);
    connection.onChange(() => this.render());
    // The countdown needs a tick; the render is cheap and idempotent.
    setInterval(() => this.render(), TICK_MS);
    this.render();
  }

  render(): void {
    const status = this.connection.status;
    const { text, tone } = describe(status);
    this.root.dataset.state = status.state.kind;
    this.root.dataset.tone = tone;
    if (this.text.textContent !== text) this.text.textContent = text;
    this.retry.hidden = status.state.kind !== 'waiting';
  }
}

/** The status in words, and a tone for its colour. */
export function describe({ state, unsentChanges }: ConnectionStatus): {
  text: string;
  tone: 'ok' | 'busy' | 'bad';
} {
  const unsent =
    unsentChanges === 0 ? '' : ` · ${unsentChanges} unsent change${unsentChanges === 1 ? '' : 's'}`;
  switch (state.kind) {
    case 'connected':
      return { text: 'Connected', tone: 'ok' };
    case 'connecting':
      return { text: `Connecting…${unsent}`, tone: 'busy' };
    case 'waiting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
      return { text: `Offline${unsent} · reconnecting in ${seconds} s`, tone: 'bad' };
    }
    case 'stopped':
      if (state.code === CLOSE.GONE.code) return { text: `${GONE_TEXT}${unsent}`, tone: 'bad' };
      return { text: `Disconnected: ${state.reason} (${state.code})${unsent}`, tone: 'bad' };
  }
}
