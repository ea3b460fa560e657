/**
 * Scale-out mode: boards in PostgreSQL (DATABASE_URL), updates and presence shared through Redis
 * (REDIS_URL). This module imports neither `pg` nor `ioredis`; it loads them dynamically, so the
 * default mode never does. The store and replicator it returns are usable at once: every store
 * call waits for `ready` (connected, tables created), and no room exists before that.
 *
 * Health: PostgreSQL is probed every HEALTH_PROBE_MS (and after any failed call), a probe failing
 * after DATABASE_TIMEOUT_MS against a hung database; Redis is up while both its connections are
 * ready, and a connection that stops answering (pinged) is dropped within REDIS_TIMEOUT_MS. `degraded()` names what is down, for /healthz, and
 * `boardcast_dependency_up{dependency}` shows it in /metrics.
 */
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomReplicator } from '../room/room-replicator.ts';
import type { BoardStore } from '../storage/board-store.ts';
import type { PostgresStore } from '../storage/postgres-store.ts';
import type { RedisReplicator } from './redis-replicator.ts';

/** How often PostgreSQL is probed for /healthz and /metrics. */
export const HEALTH_PROBE_MS = 2_000;

export type Dependency = 'postgres' | 'redis';

export interface ScaleOut {
  store: BoardStore;
  /** Null without REDIS_URL: one instance on PostgreSQL. */
  replicator: RoomReplicator | null;
  /** Resolves once PostgreSQL answered and the tables exist; rejects with a clear message. */
  ready: Promise<void>;
  /** The dependencies that are down right now; empty when healthy. */
  degraded(): Dependency[];
  /** Closes the Redis link and stops probing (the store is closed through `store.close`). */
  close(): Promise<void>;
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function startScaleOut(config: Config, log: Logger, metrics: Metrics): ScaleOut {
  const registers = [metrics.registry];
  const upGauge = new Gauge({
    name: 'boardcast_dependency_up',
    help: 'Whether a shared service answers (1) or not (0)',
    labelNames: ['dependency'] as const,
    registers,
  });
  const replicated = new Counter({
    name: 'boardcast_replica_messages_total',
    help: 'Messages exchanged with other instances through Redis',
    labelNames: ['direction', 'kind'] as const,
    registers,
  });
  const down = new Set<Dependency>();
  const setUp = (dependency: Dependency, up: boolean) => {
    upGauge.set({ dependency }, up ? 1 : 0);
    if (up === !down.has(dependency)) return;
    if (up) down.delete(dependency);
    else down.add(dependency);
    log[up ? 'info' : 'warn'](
      { dependency },
      up ? 'dependency back up' : 'dependency down: degraded',
    );
  };

  let pgStore: PostgresStore | null = null;
  let redis: RedisReplicator | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  // One probe at a time: against a hung database each waits DATABASE_TIMEOUT_MS, and
  // overlapping ones would take every pooled connection.
  let probing: Promise<void> | null = null;
  const probe = () => {
    probing ??= (pgStore as PostgresStore)
      .ping()
      .then(
        () => setUp('postgres', true),
        () => setUp('postgres', false),
      )
      .finally(() => (probing = null));
    return probing;
  };

  const ready = (async () => {
    const { openPostgresStore } = await import('../storage/postgres-store.ts');
    try {
      pgStore = await openPostgresStore({
        connectionString: config.databaseUrl ?? '',
        poolSize: config.databasePoolSize,
        queryTimeoutMs: config.databaseTimeoutMs,
        onIdleError: (error) => log.warn({ err: error.message }, 'postgres connection lost'),
      });
    } catch (error) {
      throw new Error(
        `PostgreSQL at ${redact(config.databaseUrl ?? '')} is not usable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    setUp('postgres', true);
    probeTimer = setInterval(probe, HEALTH_PROBE_MS);
    probeTimer.unref();
    if (config.redisUrl) {
      upGauge.set({ dependency: 'redis' }, 0); // down until both connections are ready; not worth a warning
      down.add('redis');
      const { RedisReplicator } = await import('./redis-replicator.ts');
      redis = new RedisReplicator({
        url: config.redisUrl,
        channelPrefix: config.redisChannelPrefix,
        timeoutMs: config.redisTimeoutMs,
        log,
        onLinkChange: (up) => setUp('redis', up),
        onMessage: (direction, kind) => replicated.inc({ direction, kind }),
      });
    }
  })();
  ready.catch(() => undefined); // awaited by listen(); this only keeps it from being "unhandled"

  /** Waits for `ready`, runs `call`, and probes at once when it fails. */
  const use = async <T>(call: (store: PostgresStore) => Promise<T>): Promise<T> => {
    await ready;
    try {
      return await call(pgStore as PostgresStore);
    } catch (error) {
      void probe();
      throw error;
    }
  };

  const store: BoardStore = {
    findBoard: (id) => use((s) => s.findBoard(id)),
    isRetired: (id) => use((s) => s.isRetired(id)),
    ensureBoard: (editId) => use((s) => s.ensureBoard(editId)),
    createBoard: (ids, state, assets) => use((s) => s.createBoard(ids, state, assets)),
    boardByKey: (key) => use((s) => s.boardByKey(key)),
    loadLog: (key) => use((s) => s.loadLog(key)),
    appendUpdates: (key, updates) => use((s) => s.appendUpdates(key, updates)),
    replaceLog: (key, state) => use((s) => s.replaceLog(key, state)),
    putAsset: (key, asset) => use((s) => s.putAsset(key, asset)),
    getAsset: (key, assetId) => use((s) => s.getAsset(key, assetId)),
    listAssets: (key) => use((s) => s.listAssets(key)),
    rotateId: (key, which) => use((s) => s.rotateId(key, which)),
    deleteBoard: (key) => use((s) => s.deleteBoard(key)),
    listBoards: () => use((s) => s.listBoards()),
    history: {
      add: (key, checkpoint) => use((s) => s.history.add(key, checkpoint)),
      list: (key) => use((s) => s.history.list(key)),
      load: (key, n) => use((s) => s.history.load(key, n)),
      prune: (before) => use((s) => s.history.prune(before)),
    },
    close: async () => {
      if (probeTimer) clearInterval(probeTimer);
      await ready.catch(() => undefined);
      await pgStore?.close();
    },
  };

  // Rooms exist only after `ready` (their load goes through the store), so `redis` is set by
  // the time a room publishes; `subscribe` waits anyway.
  const replicator: RoomReplicator | null = config.redisUrl
    ? {
        subscribe: async (key, handlers) => {
          await ready;
          await redis?.subscribe(key, handlers);
        },
        unsubscribe: (key) => redis?.unsubscribe(key),
        publishUpdate: (key, update) => redis?.publishUpdate(key, update),
        publishPresence: (key, frame) => redis?.publishPresence(key, frame),
        queryPresence: (key) => redis?.queryPresence(key),
        announceChange: (key) => redis?.announceChange(key),
      }
    : null;

  return {
    store,
    replicator,
    ready,
    degraded: () => [...down].sort(),
    close: async () => {
      if (probeTimer) clearInterval(probeTimer);
      await redis?.close();
    },
  };
}
