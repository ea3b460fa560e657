/**
 * A scale-out deployment for one test file: a fresh PostgreSQL database, a Redis channel prefix
 * of its own, and `count` server processes sharing both. The services themselves are never
 * stopped or reconfigured (services.ts).
 */
import {
  createTestDatabase,
  randomChannelPrefix,
  REDIS_URL,
  type TestDatabase,
} from './services.ts';
import { spawnServerProcess, tempDataDir, type ServerProcess } from './test-server.ts';

export interface ScaleOutInstances {
  servers: ServerProcess[];
  database: TestDatabase;
  /** What every instance was started with (a test may start another one like them). */
  env: Record<string, string>;
  /** Kills every instance (SIGKILL: nothing is flushed on the way out) and drops the database. */
  stop(): Promise<void>;
}

export async function startScaleOut(
  count: number,
  extraEnv: Record<string, string> = {},
): Promise<ScaleOutInstances> {
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_CHANNEL_PREFIX: randomChannelPrefix(),
    ...extraEnv,
  };
  const servers = await Promise.all(
    Array.from({ length: count }, () => spawnServerProcess(tempDataDir(), env)),
  );
  return {
    servers,
    database,
    env,
    async stop() {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((server) => server.exited));
      await database.drop();
    },
  };
}
