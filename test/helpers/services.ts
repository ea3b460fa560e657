/**
 * The machine's PostgreSQL and Redis, for the scale-out tests: reachability (a test file skips
 * with a clear message when they are absent, unless BOARDCAST_REQUIRE_SERVICES=1 makes that a
 * failure) and a fresh database per run. Tests never stop, restart or reconfigure the services:
 * faults are injected by a proxy in between (fault-proxy.ts).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;
const PG_ADMIN_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/test`;
const PROBE_TIMEOUT_MS = 1_000;

export const servicesRequired = process.env.BOARDCAST_REQUIRE_SERVICES === '1';

function redisPing(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(REDIS_PORT, REDIS_HOST);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: PG_ADMIN_URL,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Null when both services answer; else the skip message. No lock is needed around their use:
 * no test stops, restarts or reconfigures them (faults go through fault-proxy.ts), so the files
 * that use them run side by side.
 */
export async function servicesUnavailable(needRedis = true): Promise<string | null> {
  if (!(await postgresAnswers()))
    return `skipped: PostgreSQL not reachable at ${PG_HOST}:${PG_PORT}`;
  if (needRedis && !(await redisPing()))
    return `skipped: Redis not reachable at ${REDIS_HOST}:${REDIS_PORT}`;
  return null;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database, `boardcast_test_<random>`, dropped by `drop`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `boardcast_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}`,
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

export function randomChannelPrefix(): string {
  return `boardcast-test-${randomBytes(6).toString('hex')}:`;
}

/** Throws unless the machine's services still answer directly (the fault tests spared them). */
export async function assertServicesUp(): Promise<void> {
  if (!(await postgresAnswers()))
    throw new Error(`PostgreSQL at ${PG_HOST}:${PG_PORT} stopped answering`);
  if (!(await redisPing()))
    throw new Error(`Redis at ${REDIS_HOST}:${REDIS_PORT} stopped answering`);
}

/** `url` with its port replaced (to reach a service through a fault proxy). */
export function throughPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}
