/**
 * `npm run token -- --board <id|*> --role <edit|view> [--ttl 1h]`: prints a board token signed
 * with AUTH_SECRET from the environment. TTL: a number with s, m, h or d (plain = seconds),
 * default 1h, at most 365d. Errors go to stderr as one line, with exit code 2.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { authSecret, ConfigError } from '../config.ts';
import { isBoardClaim, isRole, secretKey, signToken } from './tokens.ts';

const USAGE =
  'usage: npm run token -- --board <editId|viewId|*> --role <edit|view> [--ttl 1h]   (AUTH_SECRET from the environment)';
const TTL_UNITS_S: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
const MAX_TTL_S = 365 * 86_400;

class UsageError extends Error {}

export function parseTtlSeconds(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * (TTL_UNITS_S[match[2] || 's'] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_TTL_S) {
    throw new UsageError(
      `--ttl "${raw}" is not a duration from 1s to 365d (e.g. 90s, 15m, 1h, 7d)`,
    );
  }
  return seconds;
}

/**
 * `--board <id>` with an id that starts with "-" (ids are base64url) as `--board=<id>`, which
 * parseArgs reads as the value instead of refusing it as ambiguous.
 */
function joinBoardValue(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (
      arg === '--board' &&
      next?.startsWith('-') &&
      !next.startsWith('--') &&
      isBoardClaim(next)
    ) {
      args.push(`--board=${next}`);
      i++;
    } else args.push(arg);
  }
  return args;
}

/** The command line, parsed with node:util's parseArgs; a UsageError says what is wrong. */
export function parseTokenArgs(argv: readonly string[]): {
  board: string;
  role: 'edit' | 'view';
  ttlSeconds: number;
} {
  let values: { board?: string; role?: string; ttl?: string };
  try {
    ({ values } = parseArgs({
      args: joinBoardValue(argv),
      options: { board: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { board, role } = values;
  if (board === undefined) throw new UsageError('--board is required');
  if (!isBoardClaim(board))
    throw new UsageError(`--board "${board}" is not a board id ([A-Za-z0-9_-]{1,64}) or *`);
  if (role === undefined) throw new UsageError('--role is required');
  if (!isRole(role)) throw new UsageError(`--role "${role}" is not edit or view`);
  return { board, role, ttlSeconds: parseTtlSeconds(values.ttl ?? '1h') };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    const secret = authSecret(process.env);
    if (!secret) throw new UsageError("AUTH_SECRET is not set: set it to the server's secret");
    const { board, role, ttlSeconds } = parseTokenArgs(argv);
    const exp = Math.floor(Date.now() / 1_000) + ttlSeconds;
    process.stdout.write(`${await signToken(secretKey(secret), { board, role, exp })}\n`);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    process.stderr.write(`token: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  }
}

// Run as a script (npm run token), not when a test imports parseTokenArgs.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
