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
import { BoardAuth } from './auth/board-auth.ts';
import { createAuthGuard } from './auth/http-guard.ts';
import { checkUpgrade } from './auth/upgrade-guard.ts';
import type { Config } from './config.ts';
import { lifecycleRoutes } from './http/lifecycle-routes.ts';
import { linkRoutes } from './http/link-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { pageRoutes } from './http/page-routes.ts';
import { createRouter } from './http/router.ts';
import { clientAddress, IpSlots } from './limits/ip-slots.ts';
import { publishLimits } from './limits/publish-limits.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { RoomRegistry } from './room/room-registry.ts';
import { startScaleOut } from './scale/scale-out.ts';
import type { BoardStore } from './storage/board-store.ts';
import { openSqliteStore } from './storage/sqlite-store.ts';
import { Heartbeat } from './transports/websocket/heartbeat.ts';
import { closeSocket, serveConnection } from './transports/websocket/ws-connection.ts';
import { viewerRoutes } from './transports/viewers/viewer-routes.ts';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));
/** WebSocket endpoint: `/ws/<id>`, as the stock client builds it from `serverUrl + '/' + room`. */
const WS_PATH = /^\/ws\/([^/?#]*)$/;
/** How long shutdown waits for peers to answer the 1012 close before cutting them. */
const CLOSE_HANDSHAKE_WAIT_MS = 1_000;

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
  const scaleOut =
    !options.store && config.databaseUrl ? startScaleOut(config, log, metrics) : null;
  const store =
    options.store ?? scaleOut?.store ?? openSqliteStore(config.dataDir, config.sqliteSynchronous);
  const registry = new RoomRegistry({
    store,
    log,
    metrics,
    graceMs: config.roomGraceMs,
    compactAfterUpdates: config.compactAfterUpdates,
    compactAfterBytes: config.compactAfterBytes,
    replicator: scaleOut?.replicator ?? null,
    presencePacing: {
      tickPeers: config.presenceTickPeers,
      maxIntervalMs: config.presenceMaxIntervalMs,
      cpuPercent: config.presenceCpuPercent,
    },
  });
  publishLimits(config, metrics);
  const auth = config.authSecret
    ? new BoardAuth(config.authSecret, config.authLeewaySeconds)
    : null;
  const slotMetrics = { inUse: metrics.ipSlotsInUse, refusals: metrics.refusals };
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
    limits: {
      websocket: new IpSlots('websocket', config.maxConnectionsPerIp, slotMetrics),
      sse: new IpSlots('sse', config.maxSseStreamsPerIp, slotMetrics),
      longPoll: new IpSlots('long_poll', config.maxLongPollsPerIp, slotMetrics),
      clientAddress: (req) => clientAddress(req, config.trustProxy),
    },
  };

  const routes = [
    ...opsRoutes(context),
    ...pageRoutes(context),
    ...linkRoutes(context),
    ...lifecycleRoutes(context),
    // viewer routes are wired here
    ...viewerRoutes(context),
  ];
  const httpServer = http.createServer(createRouter(routes, log, createAuthGuard(context, auth)));
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
  let nextPeerId = 1;
  const connectionDeps = {
    registry,
    log,
    metrics,
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

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug({ err: error.message }, 'upgrade socket error'));
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const match = WS_PATH.exec(pathname);
    if (shuttingDown) return abortHandshake(socket, 503, 'Service Unavailable');
    if (!match) return abortHandshake(socket, 404, 'Not Found');
    const id = safeDecode(match[1] ?? '');
    const address = context.limits.clientAddress(req);
    // The slot is held from here until the socket closes, so pending handshakes count too.
    const release = context.limits.websocket.acquire(address);
    if (!release) return abortHandshake(socket, 429, 'Too Many Requests');
    socket.once('close', release);
    const url = new URL(pathname, 'http://localhost');
    url.search = (req.url ?? '').slice(pathname.length);
    checkUpgrade(req, url, id, { config, registry, auth, isRetired: (id) => store.isRetired(id) })
      .then((verdict) => {
        if (!verdict.ok) {
          metrics.refusals.inc({ reason: verdict.reason });
          return abortHandshake(socket, verdict.status, verdict.message);
        }
        if (socket.destroyed || shuttingDown) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          heartbeat.track(ws);
          serveConnection(ws, id, address, connectionDeps, verdict.grant);
        });
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'upgrade check failed');
        abortHandshake(socket, 500, 'Internal Server Error');
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
    socket.write(
      `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }
  socket.destroy();
}

async function waitForClients(wss: WebSocketServer, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (wss.clients.size > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  for (const ws of wss.clients) ws.terminate();
}
