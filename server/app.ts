/**
 * Builds one Boardcast server: storage, rooms, HTTP routes and the transports. Everything is
 * created here and passed down; nothing lives on modules, so a test can run several servers in
 * one process.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from './app-context.ts';
import { BoardAuth } from './auth/board-auth.ts';
import { createAuthGuard } from './auth/http-guard.ts';
import type { Config } from './config.ts';
import { assetRoutes } from './http/asset-routes.ts';
import { lifecycleRoutes } from './http/lifecycle-routes.ts';
import { linkRoutes } from './http/link-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { pageRoutes } from './http/page-routes.ts';
import { BoardHistory } from './history/board-history.ts';
import { historyRoutes } from './http/history-routes.ts';
import { createRouter } from './http/router.ts';
import { shapesRoutes } from './http/shapes-routes.ts';
import { clientAddress, IpSlots } from './limits/ip-slots.ts';
import { publishLimits } from './limits/publish-limits.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { ApplyUpdate } from './room/apply-update.ts';
import { RoomRegistry } from './room/room-registry.ts';
import { startScaleOut, type ScaleOut } from './scale/scale-out.ts';
import { openSessionDirectory, type SessionDirectory } from './scale/session-directory.ts';
import type { BoardStore } from './storage/board-store.ts';
import { openSqliteStore } from './storage/sqlite-store.ts';
import { viewerRoutes } from './transports/viewers/viewer-routes.ts';
import { sessionEndpoint } from './transports/http-session/session-routes.ts';
import { attachWebSocketEndpoint, connectionDeps } from './transports/websocket/ws-endpoint.ts';
import { WebhookNotifier } from './webhooks/webhook-notifier.ts';

const DEFAULT_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));
/** How long shutdown waits for peers to answer the 1012 close before cutting them. */
const CLOSE_HANDSHAKE_WAIT_MS = 1_000;

export interface BoardcastOptions {
  config: Config;
  /** Defaults to SQLite under config.dataDir. */
  store?: BoardStore;
  log?: Logger;
  distDir?: string;
  /** For tests only: how updates are applied to boards (e.g. one that throws). */
  testHooks?: { applyUpdate?: ApplyUpdate };
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
  const { store, scaleOut } = openStorage(options, log, metrics);
  const webhooks = startWebhooks(config, log, metrics);
  const history = new BoardHistory(store, log, metrics, {
    intervalMs: config.historyIntervalMs,
    keepDays: config.historyDays,
  });
  const registry = createRegistry(options, { store, log, metrics, scaleOut, history, webhooks });
  publishLimits(config, metrics);
  const auth = config.authSecret
    ? new BoardAuth(config.authSecret, config.authLeewaySeconds)
    : null;
  const shutdown = { started: false, cleanups: [] as Array<() => void | Promise<void>> };
  const context = createContext(
    options,
    { log, metrics, store, registry, history, scaleOut },
    shutdown,
  );
  const peerDeps = connectionDeps(context, auth);
  const directory = openDirectory(config, log, () => context.selfUrl?.() ?? '');
  const sessions = sessionEndpoint(context, peerDeps, { directory });
  const httpServer = http.createServer(
    createRouter([...routesOf(context), ...sessions.routes], log, createAuthGuard(context, auth)),
  );
  context.selfUrl = () => selfUrlOf(config, httpServer);
  const websocket = attachWebSocketEndpoint(httpServer, context, auth, peerDeps);
  httpServer.on('clientError', (error, socket) => {
    log.debug({ err: error.message }, 'bad HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    httpServer,
    context,
    listen: () => listen(httpServer, config, scaleOut),
    async close() {
      if (shutdown.started) return;
      shutdown.started = true;
      httpServer.close();
      websocket.closeAll();
      sessions.closeAll();
      for (const cleanup of shutdown.cleanups) await cleanup();
      await registry.unloadAll();
      await history.whenIdle(); // the checkpoints of boards just unloaded
      await webhooks?.close(); // the calls of boards just unloaded, briefly
      await websocket.waitForClose(CLOSE_HANDSHAKE_WAIT_MS);
      httpServer.closeAllConnections();
      await store.close();
      await scaleOut?.close();
      await (await directory.catch(() => null))?.close();
      log.info('stopped');
    },
  };
}

/** Scale-out with Redis: where editors' HTTP sessions are recorded, so any instance finds them. */
function openDirectory(
  config: Config,
  log: Logger,
  self: () => string,
): Promise<SessionDirectory | null> {
  if (!config.redisUrl || !config.databaseUrl) return Promise.resolve(null);
  const url = config.redisUrl;
  return openSessionDirectory({ url, prefix: config.redisChannelPrefix, self, log }).catch(
    (error: unknown) => {
      log.error({ err: error }, 'session directory unavailable: HTTP sessions need stickiness');
      return null;
    },
  );
}

/** This instance's address for the others: INSTANCE_URL, or its host (name) and bound port. */
function selfUrlOf(config: Config, httpServer: http.Server): string {
  if (config.instanceUrl) return config.instanceUrl;
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = wildcard
    ? os.hostname()
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  return `http://${host}:${port}`;
}

/** SQLite by default; PostgreSQL (and Redis) in scale-out, loaded only when configured. */
function openStorage(
  options: BoardcastOptions,
  log: Logger,
  metrics: Metrics,
): { store: BoardStore; scaleOut: ScaleOut | null } {
  const { config } = options;
  const scaleOut =
    !options.store && config.databaseUrl ? startScaleOut(config, log, metrics) : null;
  const store =
    options.store ??
    scaleOut?.store ??
    openSqliteStore(config.dataDir, config.sqliteSynchronous, {
      checkpointed: ({ ms }) => metrics.checkpointSeconds.observe(ms / 1000),
      checkpointerFailed: (error) =>
        log.error({ err: error }, 'WAL checkpoint worker failed; commits checkpoint again'),
    });
  return { store, scaleOut };
}

function createRegistry(
  { config, testHooks }: BoardcastOptions,
  parts: {
    store: BoardStore;
    log: Logger;
    metrics: Metrics;
    scaleOut: ScaleOut | null;
    history: BoardHistory;
    webhooks: WebhookNotifier | null;
  },
): RoomRegistry {
  return new RoomRegistry({
    store: parts.store,
    log: parts.log,
    metrics: parts.metrics,
    graceMs: config.roomGraceMs,
    compactAfterUpdates: config.compactAfterUpdates,
    compactAfterBytes: config.compactAfterBytes,
    replicator: parts.scaleOut?.replicator ?? null,
    presencePacing: {
      tickPeers: config.presenceTickPeers,
      maxIntervalMs: config.presenceMaxIntervalMs,
      cpuPercent: config.presenceCpuPercent,
    },
    held: {
      maxBytes: config.heldUpdateBytes,
      maxCount: config.heldUpdateCount,
      maxMs: config.heldUpdateMs,
    },
    incompleteShapeGraceMs: config.incompleteShapeGraceMs,
    applyUpdate: testHooks?.applyUpdate,
    onRoomLoaded: (room) => {
      parts.history.watch(room);
      parts.webhooks?.watch(room);
    },
  });
}

/** Webhooks when WEBHOOK_URL is set (README "Webhooks"). */
function startWebhooks(config: Config, log: Logger, metrics: Metrics): WebhookNotifier | null {
  if (!config.webhookUrl) return null;
  if (!config.webhookSecret)
    log.warn('WEBHOOK_URL is set without WEBHOOK_SECRET: calls are unsigned');
  return new WebhookNotifier({
    url: config.webhookUrl,
    secret: config.webhookSecret,
    debounceMs: config.webhookDebounceMs,
    maxAttempts: config.webhookMaxAttempts,
    retryMs: config.webhookRetryMs,
    log,
    metrics,
  });
}

function createContext(
  options: BoardcastOptions,
  parts: Pick<AppContext, 'log' | 'metrics' | 'store' | 'registry' | 'history'> & {
    scaleOut: ScaleOut | null;
  },
  shutdown: { started: boolean; cleanups: Array<() => void | Promise<void>> },
): AppContext {
  const { config } = options;
  const slotMetrics = { inUse: parts.metrics.ipSlotsInUse, refusals: parts.metrics.refusals };
  return {
    config,
    log: parts.log,
    metrics: parts.metrics,
    store: parts.store,
    registry: parts.registry,
    history: parts.history,
    distDir: path.resolve(options.distDir ?? DEFAULT_DIST_DIR),
    isShuttingDown: () => shutdown.started,
    degraded: () => parts.scaleOut?.degraded() ?? [],
    onShutdown: (cleanup) => shutdown.cleanups.push(cleanup),
    limits: {
      websocket: new IpSlots('websocket', config.maxConnectionsPerIp, slotMetrics),
      sse: new IpSlots('sse', config.maxSseStreamsPerIp, slotMetrics),
      longPoll: new IpSlots('long_poll', config.maxLongPollsPerIp, slotMetrics),
      clientAddress: (req) => clientAddress(req, config.trustProxy),
    },
  };
}

function routesOf(context: AppContext) {
  return [
    ...opsRoutes(context),
    ...pageRoutes(context),
    ...linkRoutes(context),
    ...lifecycleRoutes(context),
    ...assetRoutes(context),
    ...shapesRoutes(context),
    ...historyRoutes(context),
    // viewer routes are wired here
    ...viewerRoutes(context),
  ];
}

async function listen(
  httpServer: http.Server,
  config: Config,
  scaleOut: ScaleOut | null,
): Promise<number> {
  await scaleOut?.ready; // PostgreSQL reachable and its tables created, or start-up fails
  return new Promise<number>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      const address = httpServer.address();
      resolve(typeof address === 'object' && address ? address.port : config.port);
    });
  });
}
