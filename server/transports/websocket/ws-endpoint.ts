/**
 * The WebSocket endpoint `/ws/<id>` on the HTTP server: upgrade checks (path, shutdown, the
 * per-address cap, origin and JWT in upgrade-guard.ts), a refused upgrade answered with a real
 * HTTP status, a heartbeat on every socket, and shutdown (close everyone with 1012, then cut
 * whoever does not answer).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE } from '../../../common/protocol/close-codes.ts';
import type { AppContext } from '../../app-context.ts';
import type { AuthGrant, BoardAuth } from '../../auth/board-auth.ts';
import { checkUpgrade } from '../../auth/upgrade-guard.ts';
import { Heartbeat } from './heartbeat.ts';
import { closeSocket, connectionServer, type ConnectionDeps } from './ws-connection.ts';

/** WebSocket endpoint: `/ws/<id>`, as the stock client builds it from `serverUrl + '/' + room`. */
const WS_PATH = /^\/ws\/([^/?#]*)$/;

export interface WebSocketEndpoint {
  /** Closes every socket with 1012 and stops the heartbeat. */
  closeAll(): void;
  /** Waits up to `maxMs` for sockets to finish their close handshake, then cuts the rest. */
  waitForClose(maxMs: number): Promise<void>;
}

export function attachWebSocketEndpoint(
  httpServer: http.Server,
  ctx: AppContext,
  auth: BoardAuth | null,
  /** Shared with the HTTP session endpoint, so peer ids are unique in the process. */
  deps: ConnectionDeps = connectionDeps(ctx, auth),
): WebSocketEndpoint {
  const { config, log, metrics } = ctx;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: config.maxMessageBytes,
  });
  wss.on('error', (error) => log.error({ err: error }, 'websocket server error'));
  const heartbeat = new Heartbeat(wss, config.pingIntervalMs, () => {
    metrics.refusals.inc({ reason: 'missed_pong' });
    log.info('peer missed its pong; terminated');
  });
  const serveConnection = connectionServer(deps);
  // One listener for every socket, not a closure per upgrade: such a closure kept the upgrade
  // request (headers and all, about 1.5 KB) alive for as long as the connection.
  const onUpgradeSocketError = (error: Error) =>
    log.debug({ err: error.message }, 'upgrade socket error');
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onUpgradeSocketError);
    handleUpgrade(req, socket, ctx, auth, (id, address, grant) =>
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        socket.off('error', onUpgradeSocketError); // the WebSocket handles its errors now
        heartbeat.track(ws);
        serveConnection(ws, id, address, grant);
      }),
    );
  });
  return {
    closeAll() {
      heartbeat.stop();
      for (const ws of wss.clients) closeSocket(ws, CLOSE.SERVER_RESTARTING);
    },
    async waitForClose(maxMs) {
      const deadline = Date.now() + maxMs;
      while (wss.clients.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

/** What every editing connection (WebSocket or HTTP session) is built with. */
export function connectionDeps(ctx: AppContext, auth: BoardAuth | null): ConnectionDeps {
  const { config } = ctx;
  let nextPeerId = 1;
  return {
    registry: ctx.registry,
    log: ctx.log,
    metrics: ctx.metrics,
    maxPendingFrames: config.maxPendingFrames,
    maxBufferedBytes: config.maxBufferedBytes,
    presenceBufferBytes: config.presenceBufferBytes,
    rates: {
      updatesPerSecond: config.rateUpdatesPerSecond,
      updatesBurst: config.rateUpdatesBurst,
      presencePerSecond: config.ratePresencePerSecond,
      presenceBurst: config.ratePresenceBurst,
    },
    auth,
    nextPeerId: () => nextPeerId++,
  };
}

/** Checks an upgrade request; calls `accept` or answers it with an HTTP error. */
function handleUpgrade(
  req: http.IncomingMessage,
  socket: Duplex,
  ctx: AppContext,
  auth: BoardAuth | null,
  accept: (id: string, address: string, grant: AuthGrant | null) => void,
): void {
  const pathname = (req.url ?? '').split('?')[0] ?? '';
  const match = WS_PATH.exec(pathname);
  if (ctx.isShuttingDown()) return abortHandshake(socket, 503, 'Service Unavailable');
  if (!match) return abortHandshake(socket, 404, 'Not Found');
  const id = safeDecode(match[1] ?? '');
  const address = ctx.limits.clientAddress(req);
  // The slot is held from here until the socket closes, so pending handshakes count too.
  const release = ctx.limits.websocket.acquire(address);
  if (!release) return abortHandshake(socket, 429, 'Too Many Requests');
  socket.on('close', release); // release is idempotent; `once` would add a wrapper per socket
  const url = new URL(pathname, 'http://localhost');
  url.search = (req.url ?? '').slice(pathname.length);
  checkUpgrade(req, url, id, {
    config: ctx.config,
    registry: ctx.registry,
    auth,
    isRetired: (id) => ctx.store.isRetired(id),
  })
    .then((verdict) => {
      if (!verdict.ok) {
        ctx.metrics.refusals.inc({ reason: verdict.reason });
        return abortHandshake(socket, verdict.status, verdict.message);
      }
      if (socket.destroyed || ctx.isShuttingDown()) return socket.destroy();
      accept(id, address, verdict.grant);
    })
    .catch((error: unknown) => {
      ctx.log.error({ err: error }, 'upgrade check failed');
      abortHandshake(socket, 500, 'Internal Server Error');
    });
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not a valid id either way; the connection closes with 4400
  }
}

/** Answers a refused upgrade with a real HTTP response, then closes the socket. */
export function abortHandshake(socket: Duplex, status: number, message: string): void {
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }
  socket.destroy();
}
