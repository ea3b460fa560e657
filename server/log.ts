/**
 * Structured logs (pino, one JSON line per event). Logged: connects, closes and refusals with
 * their reason; never tokens or message bodies.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'boardcast' },
    redact: {
      paths: [
        'token',
        'req.headers.authorization',
        'headers.authorization',
        'authSecret',
        'config.authSecret',
      ],
      remove: true,
    },
  });
}
