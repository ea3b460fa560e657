/**
 * The connection status line: connected, reconnecting in N s, offline with N unsent changes,
 * disconnected (44xx; 4404: the link was reset or the board deleted), or refused: the server
 * would not take what this tab sent (1007, 1008, 1009). Refused, it says so and offers what can
 * be done with the local copy: export it as JSON, or drop the unsent changes (clear this
 * device's copy and load the board from the server).
 */
import { GONE_TEXT } from '../../../common/board/snapshot.ts';
import { CLOSE } from '../../../common/protocol/close-codes.ts';
import type { Connection, ConnectionStatus } from '../connection.ts';

const TICK_MS = 500;

/** What the person may do once the server refused this tab's changes. */
export interface RefusalActions {
  /** Downloads the board as this tab has it, unsent changes included. */
  exportCopy(): void;
  /** Forgets the unsent changes and reloads the board from the server. */
  dropUnsent(): void;
}

export class StatusView {
  private readonly text: HTMLSpanElement;
  /** Built once and only shown or hidden, so a click never lands on a replaced button. */
  private readonly retry: HTMLButtonElement;
  private readonly exportCopy: HTMLButtonElement;
  private readonly dropUnsent: HTMLButtonElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly connection: Connection,
    actions: RefusalActions,
  ) {
    const dot = Object.assign(document.createElement('span'), { className: 'status-dot' });
    this.text = Object.assign(document.createElement('span'), { className: 'status-text' });
    this.retry = button('status-retry', 'Retry now', () => connection.retryNow());
    this.exportCopy = button('status-export', 'Export a copy', () => actions.exportCopy());
    this.dropUnsent = button('status-drop', 'Drop unsent changes', () => {
      const question =
        'Drop the changes this device has not sent, and load the board as the server has it? Export a copy first to keep them.';
      if (window.confirm(question)) actions.dropUnsent();
    });
    root.replaceChildren(dot, this.text, this.retry, this.exportCopy, this.dropUnsent);
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
    this.root.dataset.transport = status.transport;
    if (this.text.textContent !== text) this.text.textContent = text;
    this.retry.hidden = status.state.kind !== 'waiting';
    this.exportCopy.hidden = status.state.kind !== 'refused';
    this.dropUnsent.hidden = status.state.kind !== 'refused';
  }
}

function button(className: string, label: string, onClick: () => void): HTMLButtonElement {
  const element = Object.assign(document.createElement('button'), {
    className: `text-button status-action ${className}`,
    textContent: label,
  });
  element.addEventListener('click', onClick);
  return element;
}

/** The status in words, and a tone for its colour. */
export function describe({ state, unsentChanges, transport }: ConnectionStatus): {
  text: string;
  tone: 'ok' | 'busy' | 'bad';
} {
  const unsent =
    unsentChanges === 0 ? '' : ` · ${unsentChanges} unsent change${unsentChanges === 1 ? '' : 's'}`;
  switch (state.kind) {
    case 'connected':
      return { text: transport === 'http' ? 'Connected · over HTTP' : 'Connected', tone: 'ok' };
    case 'connecting':
      return { text: `Connecting…${unsent}`, tone: 'busy' };
    case 'waiting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
      return { text: `Offline${unsent} · reconnecting in ${seconds} s`, tone: 'bad' };
    }
    case 'stopped':
      if (state.code === CLOSE.GONE.code) return { text: `${GONE_TEXT}${unsent}`, tone: 'bad' };
      return { text: `Disconnected: ${state.reason} (${state.code})${unsent}`, tone: 'bad' };
    case 'refused':
      return {
        text: `The server refused this tab's changes: ${state.reason} (${state.code}). They are kept on this device${unsent}`,
        tone: 'bad',
      };
  }
}
