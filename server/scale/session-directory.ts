/**
 * Scale-out: which instance holds each editor's HTTP session (docs/scaling.md "HTTP sessions").
 * A session lives in the memory of the instance that created it; that instance records
 * `session id → its own base URL` in Redis (expiring with the session's idle time, renewed
 * while it is used), and an instance that gets a request for a session it does not hold looks
 * the owner up and forwards the request to it. ioredis is loaded only when REDIS_URL is set.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

export interface SessionDirectory {
  /** Records that `sid` is held here for `ttlMs` (again, to renew). Never throws. */
  claim(sid: string, ttlMs: number): void;
  /** The base URL of the instance holding `sid`; null when unknown (or Redis is down). */
  owner(sid: string): Promise<string | null>;
  close(): Promise<void>;
}

/** How long a lookup may take before the request is answered as for an unknown session. */
const LOOKUP_TIMEOUT_MS = 1_000;

export async function openSessionDirectory(options: {
  url: string;
  prefix: string;
  /** This instance's base URL as the others reach it. */
  self: () => string;
  log: Logger;
}): Promise<SessionDirectory> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis: Redis = new RedisClient(options.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
  redis.on('error', (error: Error) =>
    options.log.debug({ err: error.message }, 'session directory: redis error'),
  );
  const key = (sid: string) => `${options.prefix}session:${sid}`;
  return {
    claim(sid, ttlMs) {
      redis.set(key(sid), options.self(), 'PX', ttlMs).catch((error: Error) => {
        options.log.warn({ err: error.message }, 'session directory: claim failed');
      });
    },
    async owner(sid) {
      const lookup = redis.get(key(sid)).catch(() => null);
      const timeout = new Promise<null>((resolve) =>
        setTimeout(() => resolve(null), LOOKUP_TIMEOUT_MS).unref(),
      );
      return Promise.race([lookup, timeout]);
    },
    async close() {
      redis.disconnect();
    },
  };
}
