/**
 * How the operator CLI reaches the rest of the system: the storage the server uses (same
 * settings: DATA_DIR, or DATABASE_URL), a running server over HTTP when there is one, and Redis.
 *
 * Deleting while a server runs must close the board's connections, never leave a server serving
 * a board whose rows are gone. So a deletion goes:
 *   1. through a running server's `DELETE /api/boards/<editId>` when one is known: `--server`,
 *      or the marker a SQLite server leaves in DATA_DIR (server-marker.ts); one that does not
 *      answer is an error, not a reason to delete under it;
 *   2. else, on PostgreSQL with REDIS_URL, straight to the database, then announced on the
 *      board's Redis channel, so every instance that has it loaded closes it (4404);
 *   3. else, on PostgreSQL with a server connected (seen in pg_stat_activity) but no Redis to
 *      tell it: refused, asking for `--server`;
 *   4. else (no server running) straight to storage.
 */
import type { Config } from '../config.ts';
import { ANY_BOARD, secretKey, signToken, type BoardClaims } from '../auth/tokens.ts';
import type { BoardRecord, BoardStore } from '../storage/board-store.ts';
import { openSqliteStore } from '../storage/sqlite-store.ts';
import type { BoardConnections } from './board-digest.ts';
import { liveServerMarker, markerUrl } from './server-marker.ts';

/** A failure the CLI reports in one line (exit 1). */
export class CliError extends Error {}

/** Tokens the CLI mints for its own requests (JWT mode) live this long. */
const CLI_TOKEN_TTL_S = 120;
const REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** A server that takes longer to answer counts as not answering. */
const SERVER_TIMEOUT_MS = 5_000;

export interface OpenedStore {
  store: BoardStore;
  /** PostgreSQL only: whether a server is connected to the database. */
  serverConnected(): Promise<boolean>;
}

export async function openStore(config: Config): Promise<OpenedStore> {
  if (!config.databaseUrl) {
    return {
      store: openSqliteStore(config.dataDir, config.sqliteSynchronous),
      serverConnected: async () => false,
    };
  }
  const { openPostgresStore } = await import('../storage/postgres-store.ts');
  const store = await openPostgresStore({
    connectionString: config.databaseUrl,
    poolSize: 2,
    applicationName: 'boardcast-cli',
  });
  return { store, serverConnected: () => store.serverConnected() };
}

/** The running server to go through: `--server`, or the one holding DATA_DIR (SQLite). */
export function findServer(config: Config, serverFlag: string | undefined): string | null {
  if (serverFlag) return serverFlag.replace(/\/+$/, '');
  if (config.databaseUrl) return null;
  const marker = liveServerMarker(config.dataDir);
  return marker ? markerUrl(marker) : null;
}

async function tokenHeader(
  config: Config,
  claims: Omit<BoardClaims, 'exp'>,
): Promise<Record<string, string>> {
  if (!config.authSecret) return {};
  const exp = Math.floor(Date.now() / 1_000) + CLI_TOKEN_TTL_S;
  const token = await signToken(secretKey(config.authSecret), { ...claims, exp });
  return { authorization: `Bearer ${token}` };
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(SERVER_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(
      `the server at ${new URL(url).origin} does not answer (${(error as Error).message}); ` +
        'start it, pass --server <its URL>, or stop it to work on storage directly',
      { cause: error },
    );
  }
}

/** Deletes through the server (so it closes the board's connections). */
async function deleteThroughServer(config: Config, serverUrl: string, board: BoardRecord) {
  const response = await request(`${serverUrl}/api/boards/${board.editId}`, {
    method: 'DELETE',
    headers: await tokenHeader(config, { board: board.editId, role: 'edit' }),
  });
  if (response.status !== 204 && response.status !== 404)
    throw new CliError(`the server answered ${response.status}: ${await response.text()}`);
}

/** Tells every instance through Redis that the board changed (they re-read it and drop it). */
async function announceOnRedis(config: Config, key: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const { boardChannel, changedMessage } = await import('../scale/redis-replicator.ts');
  const redis = new Redis(config.redisUrl ?? '', {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    await redis.publish(boardChannel(config.redisChannelPrefix, key), changedMessage());
  } finally {
    redis.disconnect();
  }
}

export type Deleter = (board: BoardRecord) => Promise<void>;

/** How this run deletes boards (the rules at the top of this file). */
export async function chooseDeleter(
  config: Config,
  opened: OpenedStore,
  serverUrl: string | null,
): Promise<Deleter> {
  if (serverUrl) return (board) => deleteThroughServer(config, serverUrl, board);
  if (config.databaseUrl && config.redisUrl) {
    return async (board) => {
      await opened.store.deleteBoard(board.key);
      await announceOnRedis(config, board.key);
    };
  }
  if (await opened.serverConnected())
    throw new CliError(
      'a Boardcast server is connected to this database and there is no REDIS_URL to tell it: ' +
        'pass --server <its URL> so the deletion closes its connections',
    );
  return async (board) => void (await opened.store.deleteBoard(board.key));
}

/** Who is connected to the boards the server has loaded, by digest; null when unknown. */
export async function connectionsOn(
  config: Config,
  serverUrl: string | null,
): Promise<Map<string, BoardConnections> | null> {
  if (!serverUrl) return null;
  const response = await request(`${serverUrl}/api/admin/connections`, {
    headers: await tokenHeader(config, { board: ANY_BOARD, role: 'view' }),
  });
  if (!response.ok) throw new CliError(`the server answered ${response.status} for connections`);
  const { boards } = (await response.json()) as { boards: BoardConnections[] };
  return new Map(boards.map((entry) => [entry.board, entry]));
}
