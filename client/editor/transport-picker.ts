/**
 * Which transport the editor's one connection uses (contract: "Editors without WebSockets").
 * It starts on WebSocket. A WebSocket that does not open and bring its first message within
 * WS_OPEN_TIMEOUT_MS, or that ends before its first message (a proxy refusing the upgrade looks
 * like that: a close without a code), counts as a failure; the second failure in a row moves the
 * connection to HTTP (http-session-socket.ts: SSE down, long poll where SSE does not stream).
 * Over HTTP, a probe WebSocket is tried in the background with backoff and jitter; once one
 * brings a message, the connection moves back to WebSocket. The provider sends sync step 1 and
 * answers with step 2 on every open, whatever the transport, so no edit is lost or doubled
 * across a switch.
 */
import type { WebsocketProvider } from 'y-websocket';
import { httpSessionSocketClass } from './http-session-socket.ts';

export type TransportKind = 'websocket' | 'http';

/** A WebSocket that has not brought its first message by then counts as failed. */
export const WS_OPEN_TIMEOUT_MS = 4_000;
/** Failures in a row before the connection moves to HTTP. */
export const WS_FAILURES_BEFORE_HTTP = 2;
export const PROBE_BASE_DELAY_MS = 3_000;
export const PROBE_MAX_DELAY_MS = 60_000;

/** Closes a browser reports for a connection that never got going (refused upgrade, cut). */
const EARLY_CLOSE_CODES: readonly number[] = [1001, 1005, 1006];

type SocketClass = WebsocketProvider['_WS'];

export interface TransportPickerOptions {
  /** Query parameters of every request (JWT mode keeps `token` fresh in this object). */
  params: Record<string, string>;
  /** The transport changed (for the status line). */
  onChange(): void;
}

export class TransportPicker {
  private kind: TransportKind = 'websocket';
  private failures = 0;
  /** Whether the newest WebSocket brought a message. */
  private current = { gotMessage: false };
  private openTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private probeAttempt = 0;
  private probe: WebSocket | null = null;
  /** SSE did not stream here: later sessions start on long polling. */
  private longPoll = false;
  private readonly watchedWebSocket: SocketClass;
  private readonly httpSocket: SocketClass;

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly options: TransportPickerOptions,
  ) {
    this.watchedWebSocket = this.createWatchedWebSocket();
    this.httpSocket = this.createHttpSocket();
    provider._WS = this.watchedWebSocket;
  }

  get transport(): TransportKind {
    return this.kind;
  }

  /**
   * A connection closed before it synced; true when it counts against WebSocket and the
   * connection has just moved to HTTP (the caller reconnects at once).
   */
  closedEarly(code: number): boolean {
    this.clearOpenTimer();
    if (this.kind !== 'websocket' || this.current.gotMessage) return false;
    if (!EARLY_CLOSE_CODES.includes(code)) return false;
    this.failures += 1;
    if (this.failures < WS_FAILURES_BEFORE_HTTP) return false;
    this.use('http');
    this.scheduleProbe();
    return true;
  }

  stop(): void {
    this.clearOpenTimer();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.probe?.close();
    this.probe = null;
  }

  private use(kind: TransportKind): void {
    this.kind = kind;
    this.provider._WS = kind === 'websocket' ? this.watchedWebSocket : this.httpSocket;
    this.options.onChange();
  }

  private createWatchedWebSocket(): SocketClass {
    const watch = (socket: WebSocket) => this.watch(socket);
    return class WatchedWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        watch(this);
      }
    };
  }

  /** Notes whether the newest WebSocket brings a message, and in time. */
  private watch(socket: WebSocket): void {
    const state = { gotMessage: false };
    this.current = state;
    this.armOpenTimer(socket);
    socket.addEventListener('message', () => {
      if (state.gotMessage) return;
      state.gotMessage = true;
      this.failures = 0;
      this.clearOpenTimer();
    });
  }

  private createHttpSocket(): SocketClass {
    const startOnLongPoll = () => this.longPoll;
    return httpSessionSocketClass({
      params: this.options.params,
      get longPoll() {
        return startOnLongPoll();
      },
      onLongPoll: () => (this.longPoll = true),
    }) as unknown as SocketClass; // a WebSocket look-alike: what the provider uses of it
  }

  /** Not open with a message in time: close it, and the close counts as an early one. */
  private armOpenTimer(socket: WebSocket): void {
    this.clearOpenTimer();
    this.openTimer = setTimeout(() => {
      this.openTimer = null;
      if (!this.current.gotMessage) socket.close();
    }, WS_OPEN_TIMEOUT_MS);
  }

  private clearOpenTimer(): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = null;
  }

  private scheduleProbe(): void {
    const ceiling = Math.min(PROBE_MAX_DELAY_MS, PROBE_BASE_DELAY_MS * 2 ** this.probeAttempt);
    // Jittered between half and all of the ceiling, so many editors do not probe in step.
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.probeAttempt += 1;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.runProbe();
    }, delay);
  }

  /** One background WebSocket: a first message means WebSockets work again. */
  private runProbe(): void {
    if (this.kind !== 'http') return;
    const probe = new WebSocket(this.provider.url);
    probe.binaryType = 'arraybuffer';
    this.probe = probe;
    let settled = false;
    const settle = (works: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.probe = null;
      probe.close();
      if (this.kind !== 'http') return;
      if (works) this.moveBackToWebSocket();
      else this.scheduleProbe();
    };
    const timer = setTimeout(() => settle(false), WS_OPEN_TIMEOUT_MS);
    probe.addEventListener('message', () => settle(true));
    probe.addEventListener('close', () => settle(false));
    probe.addEventListener('error', () => settle(false));
  }

  private moveBackToWebSocket(): void {
    this.failures = 0;
    this.probeAttempt = 0;
    this.use('websocket');
    // A fresh open on the WebSocket: sync step 1/2 both ways brings anything either side lacks.
    this.provider.disconnect();
    this.provider.connect();
  }
}
