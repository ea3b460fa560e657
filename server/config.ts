/**
 * Settings, parsed once from the environment. Every setting, its default and its range are here
 * and in the README; an invalid one throws ConfigError with one line that names it.
 */
import path from 'node:path';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  /** Base URL used in share links; derived from the request's Host header when unset. */
  publicUrl: string | null;
  /** JWT mode (docs/auth.md): the HS256 secret, at least 32 characters; null = open server. */
  authSecret: string | null;
  /** Clock leeway when checking a token's `exp`, in seconds. */
  authLeewaySeconds: number;
  /** Where pages fetch a fresh token before theirs expires (injected as a meta tag); null = none. */
  tokenUrl: string | null;
  /** Origins allowed to open WebSockets and edit; null = any. The server's own origin always is. */
  allowedOrigins: readonly string[] | null;
  /** Take the client address from the last X-Forwarded-For entry (behind one reverse proxy). */
  trustProxy: boolean;
  /** Per-connection token bucket for sync (document) frames: refill per second, and burst. */
  rateUpdatesPerSecond: number;
  rateUpdatesBurst: number;
  /** Per-connection token bucket for awareness, query and token frames. */
  ratePresencePerSecond: number;
  ratePresenceBurst: number;
  /** Per client address: open WebSockets, SSE streams, pending long polls (more → HTTP 429). */
  maxConnectionsPerIp: number;
  maxSseStreamsPerIp: number;
  maxLongPollsPerIp: number;
  /** Past this many unsent bytes a peer gets no presence; past maxBufferedBytes it is closed (1013). */
  presenceBufferBytes: number;
  maxBufferedBytes: number;
  /** Rooms up to this many peers relay presence every tick; bigger ones coalesce longer… */
  presenceTickPeers: number;
  /** …up to this interval… */
  presenceMaxIntervalMs: number;
  /** …and never spend more than this share (percent) of the time encoding and sending presence. */
  presenceCpuPercent: number;
  /** An HTTP session with no request for this long is closed and its presence removed. */
  sessionIdleMs: number;
  /** Largest WebSocket frame accepted; a bigger one is closed with 1009. */
  maxMessageBytes: number;
  pingIntervalMs: number;
  /** How long an unused board stays loaded after its last peer or viewer leaves. */
  roomGraceMs: number;
  /** Compact a board's log into one state once it holds more updates than this… */
  compactAfterUpdates: number;
  /** …or more bytes than this. */
  compactAfterBytes: number;
  /** Frames held per connection while its board loads; more closes it with 1008. */
  maxPendingFrames: number;
  /** Updates held per connection until what they build on arrives: bytes, count, time (→ 1013). */
  heldUpdateBytes: number;
  heldUpdateCount: number;
  heldUpdateMs: number;
  /** How long a shape missing a required field may wait for it before the server deletes it. */
  incompleteShapeGraceMs: number;
  shutdownTimeoutMs: number;
  /** SQLite durability: NORMAL survives a killed process, FULL also a power cut (slower). */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Scale-out: boards live in this PostgreSQL database instead of SQLite (docs/scaling.md). */
  databaseUrl: string | null;
  /** Connections each instance keeps to PostgreSQL. */
  databasePoolSize: number;
  /** A PostgreSQL query (or connection) that takes longer fails: a hung database refuses writes (1013) instead of holding them. */
  databaseTimeoutMs: number;
  /** Scale-out: updates and presence are shared with the other instances through this Redis. */
  redisUrl: string | null;
  /** Prefix of every Redis channel, so several deployments can share one Redis. */
  redisChannelPrefix: string;
  /** Scale-out: this instance's base URL as the other instances reach it; null = derived. */
  instanceUrl: string | null;
  /** A Redis connection silent this long while a reply is due (pings run at a third of it) is dropped and redialled: a stalled Redis degrades health. */
  redisTimeoutMs: number;
  /** Webhooks (README "Webhooks"): where board changes are POSTed; null = none. Only from this setting. */
  webhookUrl: string | null;
  /** HMAC-SHA256 key of the `X-Boardcast-Signature` header; null = unsigned. */
  webhookSecret: string | null;
  /** At most one call per board per this window; changes within it are merged. */
  webhookDebounceMs: number;
  /** Tries per call (the first included) before it is given up… */
  webhookMaxAttempts: number;
  /** …waiting this long before the first retry, doubling each time (at most a minute). */
  webhookRetryMs: number;
  /** Largest board file `POST /api/boards/import` takes (the request body), in bytes. */
  maxImportBytes: number;
  /** Operator switch: an import may keep the file's ids (`?keepIds=1`) instead of new ones. */
  importKeepIds: boolean;
  /** Largest image `POST /api/boards/<editId>/assets` takes, in bytes (more → 413). */
  maxAssetBytes: number;
  /** Image uploads per client address per minute (burst: the same number); more → 429. */
  rateAssetUploadsPerMinute: number;
  /** Largest request body the shapes API takes (`POST …/shapes`, `PATCH …/shapes/<id>`), bytes. */
  shapesApiMaxBytes: number;
  /** Per client address: shapes API and history requests per second, and burst (more → 429). */
  shapesApiRatePerSecond: number;
  shapesApiBurst: number;
  /** Board history: a checkpoint at most once per this much activity (ms)… */
  historyIntervalMs: number;
  /** …kept this many days. */
  historyDays: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `Invalid setting ${name}="${raw}": expected an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function logLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      `Invalid setting LOG_LEVEL="${raw}": expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return raw as LogLevel;
}

function sqliteSynchronous(env: Env): 'NORMAL' | 'FULL' {
  const raw = env.SQLITE_SYNCHRONOUS ?? 'NORMAL';
  if (raw !== 'NORMAL' && raw !== 'FULL') {
    throw new ConfigError(`Invalid setting SQLITE_SYNCHRONOUS="${raw}": expected NORMAL or FULL`);
  }
  return raw;
}

function publicUrl(env: Env): string | null {
  const raw = env.PUBLIC_URL;
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.origin;
  } catch {
    throw new ConfigError(
      `Invalid setting PUBLIC_URL="${raw}": expected an http(s) URL such as https://boards.example.com`,
    );
  }
}

/** A service URL with one of `protocols`; the value is not echoed, it may hold a password. */
function serviceUrl(
  env: Env,
  name: string,
  protocols: readonly string[],
  example: string,
): string | null {
  const raw = env[name];
  if (!raw) return null;
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  if (!protocols.includes(protocol))
    throw new ConfigError(`Invalid setting ${name}: expected a URL such as ${example}`);
  return raw;
}

function channelPrefix(env: Env): string {
  const raw = env.REDIS_CHANNEL_PREFIX ?? 'boardcast:';
  if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      `Invalid setting REDIS_CHANNEL_PREFIX="${raw}": expected 1 to 64 of A-Z a-z 0-9 _ : . -`,
    );
  }
  return raw;
}

/** HS256 wants a key of at least 256 bits (RFC 7518 §3.2): 32 characters. */
export const MIN_AUTH_SECRET_CHARS = 32;

export function authSecret(env: Env): string | null {
  const raw = env.AUTH_SECRET;
  if (raw === undefined || raw === '') return null;
  if (raw.length < MIN_AUTH_SECRET_CHARS) {
    throw new ConfigError(
      `Invalid setting AUTH_SECRET: expected at least ${MIN_AUTH_SECRET_CHARS} characters (HS256 wants a 256-bit key)`,
    );
  }
  return raw;
}

function tokenUrl(env: Env): string | null {
  const raw = env.TOKEN_URL;
  if (!raw) return null;
  if (/^\/(?!\/)[^\s"<>]*$/.test(raw)) return raw;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !/[\s"<>]/.test(raw))
      return url.href;
  } catch {
    // reported below
  }
  throw new ConfigError(
    `Invalid setting TOKEN_URL="${raw}": expected an http(s) URL or a path starting with /`,
  );
}

function allowedOrigins(env: Env): string[] | null {
  const raw = env.ALLOWED_ORIGINS;
  if (raw === undefined || raw.trim() === '') return null;
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    try {
      const url = new URL(origin);
      if (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.origin === origin.replace(/\/$/, '')
      )
        return url.origin;
    } catch {
      // reported below
    }
    throw new ConfigError(
      `Invalid setting ALLOWED_ORIGINS: "${origin}" is not an origin such as https://app.example.com`,
    );
  });
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`Invalid setting ${name}="${raw}": expected 1/true or 0/false`);
}

/** The auth and abuse-limit settings (docs/auth.md has the table). */
function limitSettings(env: Env) {
  const maxBufferedBytes = integer(
    env,
    'MAX_BUFFERED_BYTES',
    16 * 1_048_576,
    65_536,
    1_073_741_824,
  );
  const presenceBufferBytes = integer(
    env,
    'PRESENCE_BUFFER_BYTES',
    1_048_576,
    1_024,
    1_073_741_824,
  );
  if (presenceBufferBytes > maxBufferedBytes) {
    throw new ConfigError(
      `Invalid setting PRESENCE_BUFFER_BYTES="${presenceBufferBytes}": expected at most MAX_BUFFERED_BYTES (${maxBufferedBytes})`,
    );
  }
  return {
    authSecret: authSecret(env),
    authLeewaySeconds: integer(env, 'AUTH_LEEWAY_S', 30, 0, 300),
    tokenUrl: tokenUrl(env),
    allowedOrigins: allowedOrigins(env),
    trustProxy: flag(env, 'TRUST_PROXY'),
    rateUpdatesPerSecond: integer(env, 'RATE_UPDATES_PER_S', 120, 1, 100_000),
    rateUpdatesBurst: integer(env, 'RATE_UPDATES_BURST', 200, 1, 1_000_000),
    ratePresencePerSecond: integer(env, 'RATE_PRESENCE_PER_S', 120, 1, 100_000),
    ratePresenceBurst: integer(env, 'RATE_PRESENCE_BURST', 240, 1, 1_000_000),
    maxConnectionsPerIp: integer(env, 'MAX_CONNECTIONS_PER_IP', 200, 1, 1_000_000),
    maxSseStreamsPerIp: integer(env, 'MAX_SSE_STREAMS_PER_IP', 100, 1, 1_000_000),
    maxLongPollsPerIp: integer(env, 'MAX_LONG_POLLS_PER_IP', 100, 1, 1_000_000),
    presenceBufferBytes,
    maxBufferedBytes,
    presenceTickPeers: integer(env, 'PRESENCE_TICK_PEERS', 16, 1, 100_000),
    presenceMaxIntervalMs: integer(env, 'PRESENCE_MAX_INTERVAL_MS', 250, 0, 10_000),
    presenceCpuPercent: integer(env, 'PRESENCE_CPU_PERCENT', 25, 1, 100),
  };
}

export function parseConfig(env: Env = process.env): Config {
  const host = env.HOST ?? '0.0.0.0';
  if (host.trim() === '')
    throw new ConfigError('Invalid setting HOST="": expected a host name or address');
  return {
    port: integer(env, 'PORT', 8080, 0, 65_535),
    host,
    ...limitSettings(env),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    logLevel: logLevel(env),
    publicUrl: publicUrl(env),
    maxMessageBytes: integer(env, 'MAX_MESSAGE_BYTES', 8 * 1_048_576, 1_024, 64 * 1_048_576),
    pingIntervalMs: integer(env, 'PING_INTERVAL_MS', 30_000, 100, 3_600_000),
    sessionIdleMs: integer(env, 'SESSION_IDLE_MS', 30_000, 100, 3_600_000),
    roomGraceMs: integer(env, 'ROOM_GRACE_MS', 10_000, 0, 3_600_000),
    compactAfterUpdates: integer(env, 'COMPACT_AFTER_UPDATES', 1_000, 2, 1_000_000),
    compactAfterBytes: integer(env, 'COMPACT_AFTER_BYTES', 4 * 1_048_576, 1_024, 1_073_741_824),
    maxPendingFrames: integer(env, 'MAX_PENDING_FRAMES', 256, 1, 100_000),
    heldUpdateBytes: integer(env, 'HELD_UPDATE_BYTES', 4 * 1_048_576, 1_024, 1_073_741_824),
    heldUpdateCount: integer(env, 'HELD_UPDATE_COUNT', 1_000, 1, 1_000_000),
    heldUpdateMs: integer(env, 'HELD_UPDATE_MS', 30_000, 10, 3_600_000),
    incompleteShapeGraceMs: integer(env, 'INCOMPLETE_SHAPE_GRACE_MS', 10_000, 0, 86_400_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 8_000, 100, 60_000),
    sqliteSynchronous: sqliteSynchronous(env),
    ...scaleOutSettings(env),
    ...webhookSettings(env),
    maxImportBytes: integer(env, 'MAX_IMPORT_BYTES', 32 * 1_048_576, 1_024, 1_073_741_824),
    importKeepIds: flag(env, 'IMPORT_KEEP_IDS'),
    maxAssetBytes: integer(env, 'MAX_ASSET_BYTES', 10 * 1_048_576, 1_024, 256 * 1_048_576),
    rateAssetUploadsPerMinute: integer(env, 'RATE_ASSET_UPLOADS_PER_MIN', 60, 1, 1_000_000),
    shapesApiMaxBytes: integer(env, 'SHAPES_API_MAX_BYTES', 1_048_576, 1_024, 64 * 1_048_576),
    shapesApiRatePerSecond: integer(env, 'SHAPES_API_RATE_PER_S', 20, 1, 100_000),
    shapesApiBurst: integer(env, 'SHAPES_API_BURST', 60, 1, 1_000_000),
    historyIntervalMs: integer(env, 'HISTORY_INTERVAL_MS', 600_000, 10, 86_400_000),
    historyDays: integer(env, 'HISTORY_DAYS', 30, 1, 36_500),
  };
}

/** Only an http(s) URL; the server never takes a webhook target from a request. */
function webhookSettings(env: Env) {
  const raw = env.WEBHOOK_URL;
  let webhookUrl: string | null = null;
  if (raw) {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new ConfigError(
        'Invalid setting WEBHOOK_URL: expected an http(s) URL such as https://hooks.example.com/boardcast',
      );
    webhookUrl = url.href;
  }
  return {
    webhookUrl,
    webhookSecret: env.WEBHOOK_SECRET || null,
    webhookDebounceMs: integer(env, 'WEBHOOK_DEBOUNCE_MS', 2_000, 0, 3_600_000),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 5, 1, 20),
    webhookRetryMs: integer(env, 'WEBHOOK_RETRY_MS', 1_000, 10, 600_000),
  };
}

/** INSTANCE_URL: an http(s) origin; other instances forward HTTP-session requests to it. */
function instanceUrl(env: Env): string | null {
  const raw = env.INSTANCE_URL;
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // reported below
  }
  throw new ConfigError(
    `Invalid setting INSTANCE_URL="${raw}": expected an http(s) URL such as http://10.0.0.11:8080`,
  );
}

/** REDIS_URL alone is refused: instances that share updates must share the storage they come from. */
function scaleOutSettings(env: Env) {
  const databaseUrl = serviceUrl(
    env,
    'DATABASE_URL',
    ['postgres:', 'postgresql:'],
    'postgres://user:password@127.0.0.1:5432/boardcast',
  );
  const redisUrl = serviceUrl(env, 'REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379');
  if (redisUrl && !databaseUrl) {
    throw new ConfigError(
      'Invalid setting REDIS_URL: it needs DATABASE_URL too, since instances sharing a board must share its storage',
    );
  }
  return {
    databaseUrl,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1_000),
    databaseTimeoutMs: integer(env, 'DATABASE_TIMEOUT_MS', 10_000, 100, 600_000),
    redisUrl,
    redisChannelPrefix: channelPrefix(env),
    instanceUrl: instanceUrl(env),
    redisTimeoutMs: integer(env, 'REDIS_TIMEOUT_MS', 5_000, 100, 600_000),
  };
}
