/** The line every launch script prints once it accepts connections; the bench waits for it. */
export const READY_PREFIX = 'BENCH_READY port=';

export function announceReady(port: number): void {
  process.stdout.write(`${READY_PREFIX}${port}\n`);
}

/** Port from the first argument, else PORT, else 0 (any free port). */
export function portFromArgs(): number {
  const raw = process.argv[2] ?? process.env.PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`bad port ${raw}`);
  return port;
}

export const BENCH_HOST = '127.0.0.1';
