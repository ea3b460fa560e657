/**
 * Pings every WebSocket each interval. A socket that has not answered the previous ping is
 * terminated (its 'close' handler frees it). Keeps connections alive through proxies that cut
 * idle ones, and finds peers that vanished without a close.
 *
 * One timer for every socket, and nothing per socket between pings: a socket is in `awaiting`
 * only from a ping until its pong, and every socket shares one pong listener.
 */
import type { WebSocket, WebSocketServer } from 'ws';

export class Heartbeat {
  /** Sockets pinged that have not answered yet. */
  private readonly awaiting = new WeakSet<WebSocket>();
  private readonly timer: NodeJS.Timeout;
  /** The pong listener of every socket; `this` is the socket that answered. */
  private readonly onPong: (this: WebSocket) => void;

  constructor(
    private readonly wss: WebSocketServer,
    intervalMs: number,
    private readonly onDead: (ws: WebSocket) => void,
  ) {
    const { awaiting } = this;
    this.onPong = function (this: WebSocket) {
      awaiting.delete(this);
    };
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  track(ws: WebSocket): void {
    ws.on('pong', this.onPong);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (this.awaiting.has(ws)) {
        this.onDead(ws);
        ws.terminate();
        continue;
      }
      this.awaiting.add(ws);
      ws.ping();
    }
  }
}
