/**
 * What the board API routes that read or change a board's shapes share (shapes-routes.ts,
 * history-routes.ts): the board found by either id and its room held for the request, the
 * per-address rate, and JSON bodies read under a cap. Each answers its own errors and returns
 * null then:
 *   400 bad id or a body that is not JSON, 403 a view id where the edit id is needed,
 *   404 no such board (or a reset link), 413 body over the cap, 429 over the rate (Retry-After),
 *   503 shutting down.
 * Refusals are logged and counted (`boardcast_refusals_total{reason}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBoardId } from '../../common/board/ids.ts';
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import type { AppContext } from '../app-context.ts';
import type { RequestRates } from '../limits/request-rates.ts';
import type { RoomLease } from '../room/room-registry.ts';
import { BoardGoneError, type BoardAccess } from '../storage/board-store.ts';
import { readBody } from './read-body.ts';
import { sendError } from './respond.ts';

export interface HeldBoard {
  access: BoardAccess;
  lease: RoomLease;
}

export interface OpenOptions {
  /** `edit`: a view id is refused with 403. */
  need: 'edit' | 'view';
  /** Whether a valid id that names no board yet becomes one (as opening /board/<name> does). */
  create: boolean;
  /** What is refused to a view id, for the 403 message. */
  what: string;
  headers?: Record<string, string>;
}

/** The board `id` names, checked for the role needed; null once the error is answered. */
export async function findBoard(
  ctx: AppContext,
  res: ServerResponse,
  id: string | undefined,
  options: OpenOptions,
): Promise<BoardAccess | null> {
  const refuse = (status: number, message: string) => {
    sendError(res, status, message, options.headers);
    return null;
  };
  if (ctx.isShuttingDown()) return refuse(503, 'shutting down');
  if (!isValidBoardId(id)) return refuse(400, 'bad board id');
  const access = await ctx.registry.resolve(id, options.create);
  if (!access) return refuse(404, (await ctx.store.isRetired(id)) ? GONE_MESSAGE : 'no such board');
  if (options.need === 'edit' && access.role !== 'edit')
    return refuse(403, `${options.what} needs the edit id`);
  return access;
}

/** The board `id` names, its room held (release the lease once done); null once answered. */
export async function holdBoard(
  ctx: AppContext,
  res: ServerResponse,
  id: string | undefined,
  options: OpenOptions,
): Promise<HeldBoard | null> {
  const access = await findBoard(ctx, res, id, options);
  if (!access) return null;
  const refuse = (status: number, message: string) => {
    sendError(res, status, message, options.headers);
    return null;
  };
  let lease: RoomLease;
  try {
    lease = await ctx.registry.acquire(access.board);
  } catch (error) {
    if (error instanceof BoardGoneError) return refuse(404, GONE_MESSAGE);
    throw error;
  }
  // A link reset between the lookup and the hold: the id no longer names this board.
  if (!lease.room.roleOf(id as string)) {
    lease.release();
    return refuse(404, GONE_MESSAGE);
  }
  return { access, lease };
}

/** Spends one request of the caller's address; answers 429 and returns false when over. */
export function withinRate(
  ctx: AppContext,
  rates: RequestRates,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string> = {},
): boolean {
  if (rates.take(ctx.limits.clientAddress(req))) return true;
  sendError(res, 429, 'too many requests from this address', {
    ...headers,
    'retry-after': String(rates.retryAfterSeconds),
  });
  return false;
}

export type JsonBody = { ok: true; value: unknown } | { ok: false };

/** The request's JSON body; answers 413 (over `maxBytes`) or 400 (not JSON) otherwise. */
export async function readJsonBody(
  ctx: AppContext,
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<JsonBody> {
  const body = await readBody(req, maxBytes);
  if (!body) {
    ctx.metrics.refusals.inc({ reason: 'body_too_large' });
    sendError(res, 413, `the body is over ${maxBytes} bytes`, { connection: 'close' });
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    ctx.metrics.refusals.inc({ reason: 'bad_json' });
    sendError(res, 400, 'the body is not JSON');
    return { ok: false };
  }
}
