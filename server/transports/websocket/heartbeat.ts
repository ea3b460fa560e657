/**
 * Pings every WebSocket each interval. A socket that has not answered the previous ping is
 * terminated (its 'close' handler frees it). Keeps connections alive through proxies that cut
 * idle ones, and finds peers that vanished without a close.
 */
import type { WebSocket, WebSocketServer } from 'ws';

export class Heartbeat {
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly wss: WebSocketServer,
    intervalMs: number,
    private readonly onDead: (ws: WebSocket) => void,
  ) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  track(ws: WebSocket): void {
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        this.onDead(ws);
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
