/**
 * Builds one Boardcast server: HTTP routes, the WebSocket sync endpoint, rooms and storage.
 * Everything is created here and passed down; nothing lives on modules, so a test can run
 * several servers in one process.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE } from '../common/protocol/close-codes.ts';
import type { AppContext } from './app-context.ts';
import type { Config } from './config.ts';
import { linkRoutes } from './http/link-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { pageRoutes } from './http/page-routes.ts';
import { createRouter } from './http/router.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { RoomRegistry } from './rooms/room-registry.ts';
import { startScaleOut } from './scale/scale-out.ts';
import type { BoardStore } from './storage/board-store.ts';
import { openSqliteStore } from './storage/sqlite-store.ts';
import { Heartbeat } from './sync/heartbeat.ts';
import { closeSocket, serveConnection } from './sync/ws-connection.ts';
import { viewerRoutes } from './viewers/viewer-routes.ts';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));
/** WebSocket endpoint: `/ws/<id>`, as the stock client builds it from `serverUrl + '/' + room`. */
const WS_PATH = /^\/ws\/([^/?#]*)$/;
/** How long shutdown waits for peers to answer the 1012 close before cutting them. */
const CLOSE_HANDSHAKE_WAIT_MS = 1_000;
/** Unsent bytes a WebSocket peer may have queued before it is closed with 1013. */
const MAX_BUFFERED_BYTES = 16 * 1_048_576;

export interface BoardcastOptions {
  config: Config;
  /** Defaults to SQLite under config.dataDir. */
  store?: BoardStore;
  log?: Logger;
  distDir?: string;
}

export interface BoardcastServer {
  readonly httpServer: http.Server;
  readonly context: AppContext;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting, closes peers with 1012, flushes every board, closes storage. */
  close(): Promise<void>;
}

export function createBoardcastServer(options: BoardcastOptions): BoardcastServer {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  // Scale-out (DATABASE_URL, REDIS_URL) loads pg and ioredis only here, and only when configured.
  const scaleOut = !options.store && config.databaseUrl ? startScaleOut(config, log, metrics) : null;
  const store = options.store ?? scaleOut?.store ?? openSqliteStore(config.dataDir, config.sqliteSynchronous);
  const registry = new RoomRegistry({
    store,
    log,
    metrics,
    graceMs: config.roomGraceMs,
    compactAfterUpdates: config.compactAfterUpdates,
    compactAfterBytes: config.compactAfterBytes,
    replicator: scaleOut?.replicator ?? null,
  });
  const cleanups: Array<() => void | Promise<void>> = [];
  let shuttingDown = false;
  const context: AppContext = {
    config,
    log,
    metrics,
    store,
    registry,
    distDir: path.resolve(options.distDir ?? DEFAULT_DIST_DIR),
    isShuttingDown: () => shuttingDown,
    degraded: () => scaleOut?.degraded() ?? [],
    onShutdown: (cleanup) => cleanups.push(cleanup),
  };

  const routes = [
    ...opsRoutes(context),
    ...pageRoutes(context),
    ...linkRoutes(context),
    // viewer routes are wired here
    ...viewerRoutes(context),
  ];
  const httpServer = http.createServer(createRouter(routes, log));
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: config.maxMessageBytes });
  wss.on('error', (error) => log.error({ err: error }, 'websocket server error'));
  const heartbeat = new Heartbeat(wss, config.pingIntervalMs, () => {
    metrics.refusals.inc({ reason: 'missed_pong' });
    log.info('peer missed its pong; terminated');
  });
  let nextPeerId = 1;
  const connectionDeps = {
    registry,
    log,
    metrics,
    maxPendingFrames: config.maxPendingFrames,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    nextPeerId: () => nextPeerId++,
  };

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug({ err: error.message }, 'upgrade socket error'));
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const match = WS_PATH.exec(pathname);
    if (shuttingDown) return abortHandshake(socket, 503, 'Service Unavailable');
    if (!match) return abortHandshake(socket, 404, 'Not Found');
    const id = safeDecode(match[1] ?? '');
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      heartbeat.track(ws);
      serveConnection(ws, id, req.socket.remoteAddress ?? 'unknown', connectionDeps);
    });
  });
  httpServer.on('clientError', (error, socket) => {
    log.debug({ err: error.message }, 'bad HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    httpServer,
    context,
    listen: async () => {
      await scaleOut?.ready; // PostgreSQL reachable and its tables created, or start-up fails
      return new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      });
    },
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      httpServer.close();
      heartbeat.stop();
      for (const ws of wss.clients) closeSocket(ws, CLOSE.SERVER_RESTARTING);
      for (const cleanup of cleanups) await cleanup();
      await registry.closeAll();
      await waitForClients(wss, CLOSE_HANDSHAKE_WAIT_MS);
      httpServer.closeAllConnections();
      await store.close();
      await scaleOut?.close();
      log.info('stopped');
    },
  };
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
    socket.write(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
  }
  socket.destroy();
}

async function waitForClients(wss: WebSocketServer, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const ws of wss.clients) ws.terminate();
}
