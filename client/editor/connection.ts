/**
 * The connection to `/ws/<id>`: the stock y-websocket provider, driven by us. The provider's own
 * retry loop is switched off (we clear `shouldConnect` when a connection closes) and replaced by
 * exponential backoff with full jitter; a 44xx close (bad id, auth, forbidden, 4404 link reset or
 * board deleted) stops retrying and says why. Counts local changes made while not synced ("N
 * unsent changes", remembered across reloads in `storage`, since the changes themselves are kept
 * in IndexedDB); they stay in the document (and IndexedDB) and merge when the sync resumes.
 *
 * A refusal of what this tab sent (1007 malformed, 1008 over a limit, 1009 too big) also stops
 * the retries: the provider would send the same changes again on every reconnect and be refused
 * again. The state says so (`refused`), and the person chooses what to do with the local copy.
 *
 * The transport is picked by transport-picker.ts: WebSocket first, HTTP (an HTTP session, SSE or
 * long poll down, POST up) when WebSockets are refused, back to WebSocket when they work again.
 * Backoff, the unsent count, token refresh and the offline copy are the same on both.
 *
 * When this tab resets the board's edit link, the server closes its socket with 4404 like every
 * other holder of the old id; `expectMove` makes that close wait for `moveTo`, which reconnects
 * the same document (unsent edits included) under the new id.
 */
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { CLOSE, isPermanentClose } from '../../common/protocol/close-codes.ts';
import { TransportPicker, type TransportKind } from './transport-picker.ts';

export const RECONNECT_BASE_DELAY_MS = 500;
export const RECONNECT_MAX_DELAY_MS = 10_000;
/** A close the browser reports when there was no close frame (also: an upgrade refused by HTTP status). */
const ABNORMAL_CLOSE = 1006;

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'waiting'; retryAt: number }
  | { kind: 'stopped'; code: number; reason: string }
  /** The server refused what this tab sent; retrying would send it again. */
  | { kind: 'refused'; code: number; reason: string };

/** Closes that refuse what the client sent (contract: an honest client never gets them). */
const REFUSED_CONTENT: readonly number[] = [
  CLOSE.MALFORMED.code,
  CLOSE.OVER_LIMIT.code,
  CLOSE.TOO_BIG.code,
];

export interface ConnectionStatus {
  state: ConnectionState;
  unsentChanges: number;
  /** What carries the connection: WebSocket, or HTTP where WebSockets are refused. */
  transport: TransportKind;
}

export interface ConnectionOptions {
  doc: Y.Doc;
  boardId: string;
  /** e.g. ws://host/ws; the provider appends /<boardId>. */
  serverUrl: string;
  localOrigin: object;
  /** Query parameters of every (re)connect; JWT mode keeps `token` fresh in this object. */
  params: Record<string, string>;
  /**
   * Called on 4401 (token expired): resolves true when a fresh token was obtained, and the
   * connection then retries instead of stopping.
   */
  renewToken?: () => Promise<boolean>;
  /**
   * After a close without a code from the server (1006), the HTTP status the board's API answers
   * the same token with (null when unreachable). JWT mode refuses an upgrade with an HTTP 401/403
   * before it opens, which a browser only sees as 1006: this tells that refusal from a network
   * failure, so it is handled as 4401/4403 instead of retried forever.
   */
  probeRefusal?: () => Promise<number | null>;
  /** Where the unsent count survives a reload (localStorage). */
  storage: Storage;
}

export class Connection {
  readonly provider: WebsocketProvider;
  private readonly picker: TransportPicker;
  private state: ConnectionState = { kind: 'connecting' };
  private unsent: number;
  private unsentKey: string;
  /** This tab is resetting the edit link: a 4404 now is its own doing (see the top). */
  private moving = false;
  /** The 4404 that came while moving, reported if the move is called off. */
  private heldClose: { code: number; reason: string } | null = null;
  private readonly storage: Storage;
  private readonly renewToken: (() => Promise<boolean>) | undefined;
  private readonly probeRefusal: (() => Promise<number | null>) | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();

  constructor(options: ConnectionOptions) {
    this.storage = options.storage;
    this.renewToken = options.renewToken;
    this.probeRefusal = options.probeRefusal;
    this.unsentKey = `boardcast.unsent.${options.boardId}`;
    this.unsent = Number(this.storage.getItem(this.unsentKey)) || 0;
    this.provider = new WebsocketProvider(options.serverUrl, options.boardId, options.doc, {
      connect: false,
      params: options.params,
    });
    this.picker = new TransportPicker(this.provider, {
      params: options.params,
      onChange: () => this.emit(),
    });
    this.provider.on('status', ({ status }) => {
      if (status === 'connecting' && !this.isFinal) this.setState({ kind: 'connecting' });
    });
    this.provider.on('sync', (synced) => this.onSync(synced));
    this.provider.on('connection-close', (event) => this.onClose(event));
    options.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === options.localOrigin && !this.provider.synced) this.bump();
    });
    window.addEventListener('online', () => this.retryNow());
  }

  get status(): ConnectionStatus {
    return { state: this.state, unsentChanges: this.unsent, transport: this.picker.transport };
  }

  start(): void {
    this.provider.connect();
  }

  /** Skips the wait (the "retry now" button, or the browser coming back online). */
  retryNow(): void {
    if (this.state.kind !== 'waiting') return;
    this.clearRetry();
    this.provider.connect();
  }

  onChange(listener: (status: ConnectionStatus) => void): void {
    this.listeners.add(listener);
  }

  /** The unsent changes were dropped (the local copy is being cleared): count none. */
  forgetUnsent(): void {
    this.setUnsent(0);
  }

  private get isFinal(): boolean {
    return this.state.kind === 'stopped' || this.state.kind === 'refused';
  }

  /** This tab is about to reset the board's edit link: its own 4404 is expected, not the end. */
  expectMove(): void {
    this.moving = true;
  }

  /** The reset failed: a 4404 that came meanwhile is reported after all. */
  cancelMove(): void {
    this.moving = false;
    if (this.heldClose) this.stop(this.heldClose);
    this.heldClose = null;
  }

  /** Reconnects the same document under the board's new edit id (after this tab reset it). */
  moveTo(boardId: string): void {
    this.moving = false;
    this.heldClose = null;
    const unsent = this.unsent;
    this.storage.removeItem(this.unsentKey);
    this.unsentKey = `boardcast.unsent.${boardId}`;
    this.setUnsent(unsent);
    this.clearRetry();
    this.provider.disconnect();
    this.provider.roomname = boardId;
    this.provider.bcChannel = `${this.provider.serverUrl}/${boardId}`;
    this.attempt = 0;
    this.setState({ kind: 'connecting' });
    this.provider.connect();
  }

  private onSync(synced: boolean): void {
    if (!synced) return;
    this.attempt = 0;
    this.setUnsent(0);
    this.setState({ kind: 'connected' });
  }

  private onClose(event: CloseEvent | null): void {
    if (event === null) return; // we closed it ourselves
    // Keep the provider's own timer from reconnecting: the schedule below decides.
    this.provider.shouldConnect = false;
    if (event.code === ABNORMAL_CLOSE && this.probeRefusal) {
      void this.probeRefusal()
        .catch(() => null)
        .then((status) => {
          if (status === 401) this.onRefused(CLOSE.NOT_AUTHENTICATED);
          else if (status === 403) this.onRefused(CLOSE.FORBIDDEN);
          else this.retryOrSwitch(event.code);
        });
      return;
    }
    this.onRefused(event);
  }

  private onRefused(event: { code: number; reason: string }): void {
    if (event.code === CLOSE.GONE.code && this.moving) {
      this.heldClose = event;
      this.setState({ kind: 'connecting' });
      return;
    }
    if (event.code === CLOSE.NOT_AUTHENTICATED.code && this.renewToken) {
      void this.renewToken().then((renewed) => (renewed ? this.scheduleRetry() : this.stop(event)));
      return;
    }
    if (isPermanentClose(event.code)) return this.stop(event);
    if (REFUSED_CONTENT.includes(event.code))
      return this.setState({ kind: 'refused', code: event.code, reason: closeReason(event) });
    this.retryOrSwitch(event.code);
  }

  /** Retries with backoff; or, when WebSocket keeps failing early, at once over HTTP. */
  private retryOrSwitch(code: number): void {
    if (!this.picker.closedEarly(code)) return this.scheduleRetry();
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.provider.connect();
    }, 0);
    this.setState({ kind: 'connecting' });
  }

  private stop(event: { code: number; reason: string }): void {
    this.picker.stop();
    this.setState({ kind: 'stopped', code: event.code, reason: closeReason(event) });
  }

  private scheduleRetry(): void {
    const delay =
      Math.random() * Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.provider.connect();
    }, delay);
    this.setState({ kind: 'waiting', retryAt: Date.now() + delay });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private bump(): void {
    this.setUnsent(this.unsent + 1);
  }

  private setUnsent(count: number): void {
    this.unsent = count;
    if (count === 0) this.storage.removeItem(this.unsentKey);
    else this.storage.setItem(this.unsentKey, String(count));
    this.emit();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.status);
  }
}

function closeReason(event: { code: number; reason: string }): string {
  if (event.reason) return event.reason;
  const known = Object.values(CLOSE).find((close) => close.code === event.code);
  return known?.reason ?? 'refused by the server';
}
