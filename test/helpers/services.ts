/**
 * The machine's PostgreSQL and Redis, for the scale-out tests: reachability (a test file skips
 * with a clear message when they are absent, unless BOARDCAST_REQUIRE_SERVICES=1 makes that a
 * failure), a fresh database per run, a machine-wide lock (fault tests restart the services, so
 * the files that use them take turns, even across worktrees), and the restart commands.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { delay } from './clients.ts';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;
const PG_ADMIN_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/test`;
const LOCK_DIR = path.join(os.tmpdir(), 'boardcast-services.lock');
const LOCK_WAIT_MS = 180_000;
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

/** Null when both services answer; else the skip message. */
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

/** A lock whose owner died without releasing it (old enough to have written its pid). */
function lockIsStale(): boolean {
  const stat = fs.statSync(LOCK_DIR, { throwIfNoEntry: false });
  if (!stat || Date.now() - stat.mtimeMs < 2_000) return false;
  try {
    process.kill(Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Takes the machine-wide services lock (waiting for it); resolves with its release. */
export async function lockServices(): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await delay(200);
    if (lockIsStale()) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    if (Date.now() > deadline)
      throw new Error(`the services lock ${LOCK_DIR} was not released within ${LOCK_WAIT_MS} ms`);
  }
}

/**
 * Takes the services lock first, then checks the services (a fault test holding the lock may
 * have stopped one for a moment); when they are absent the lock is released at once.
 */
export async function claimServices(
  needRedis = true,
): Promise<{ unavailable: string | null; release(): void }> {
  const unlock = await lockServices();
  let released = false;
  const release = () => {
    if (!released) unlock();
    released = true;
  };
  const unavailable = await servicesUnavailable(needRedis);
  if (unavailable) release();
  return { unavailable, release };
}

function pgCluster(action: 'stop' | 'start'): void {
  const version = fs.readdirSync('/etc/postgresql')[0] ?? '';
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], {
    stdio: 'ignore',
  });
}

export async function stopPostgres(): Promise<void> {
  pgCluster('stop');
}

export async function startPostgres(): Promise<void> {
  if (!(await postgresAnswers())) pgCluster('start');
  for (let i = 0; i < 100 && !(await postgresAnswers()); i++) await delay(100);
}

export async function stopRedis(): Promise<void> {
  execFileSync('redis-cli', ['-h', REDIS_HOST, '-p', String(REDIS_PORT), 'shutdown', 'nosave'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 50 && (await redisPing()); i++) await delay(100);
}

export async function startRedis(): Promise<void> {
  if (!(await redisPing())) {
    const dir = fs.existsSync('/var/lib/redis') ? '/var/lib/redis' : os.tmpdir();
    const logfile = fs.existsSync('/var/log/redis') ? '/var/log/redis/ci.log' : '';
    execFileSync(
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '-::1',
        '--port',
        String(REDIS_PORT),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        logfile,
      ],
      { stdio: 'ignore' },
    );
  }
  for (let i = 0; i < 100 && !(await redisPing()); i++) await delay(100);
}
