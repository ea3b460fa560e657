/**
 * What the HTTP auth guard learned about a request, for routes that outlive their token: an SSE
 * stream ends with `event: expired` when the token it was opened with expires. The grant is kept
 * in a WeakMap keyed by the request itself, so it lives exactly as long as the request.
 *
 *   const stop = endStreamOnTokenExpiry(req, res);   // after writing the stream's headers
 *   res.on('close', stop);                           // (it also stops itself when res closes)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FEED_EVENTS } from '../../common/board/snapshot.ts';
import type { AuthGrant } from './board-auth.ts';

/** setTimeout's longest delay; later expiries re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

const grants = new WeakMap<IncomingMessage, AuthGrant>();

export function rememberGrant(req: IncomingMessage, grant: AuthGrant): void {
  grants.set(req, grant);
}

/** The token the guard accepted for this request; null outside JWT mode. */
export function grantFor(req: IncomingMessage): AuthGrant | null {
  return grants.get(req) ?? null;
}

/** When the request's token stops being good (ms since the epoch, leeway included); null outside JWT mode. */
export function tokenExpiryFor(req: IncomingMessage): number | null {
  return grants.get(req)?.expiresAtMs ?? null;
}

/** Calls `onExpire` once when `atMs` passes; returns a cancel function (idempotent). */
export function scheduleAt(
  atMs: number,
  onExpire: () => void,
  now: () => number = Date.now,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    const wait = atMs - now();
    if (wait <= 0) {
      timer = null;
      onExpire();
      return;
    }
    timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
}

/** Calls `onExpire` when the request's token expires; a no-op (never calls) outside JWT mode. */
export function onTokenExpiry(req: IncomingMessage, onExpire: () => void): () => void {
  const expiry = tokenExpiryFor(req);
  return expiry === null ? () => {} : scheduleAt(expiry, onExpire);
}

/** SSE: when the token expires, writes `event: expired` and ends the stream. Stops on close. */
export function endStreamOnTokenExpiry(req: IncomingMessage, res: ServerResponse): () => void {
  const cancel = onTokenExpiry(req, () => {
    if (res.writableEnded || res.destroyed) return;
    res.end(`event: ${FEED_EVENTS.EXPIRED}\ndata: {"error":"token expired"}\n\n`);
  });
  res.once('close', cancel);
  return cancel;
}
