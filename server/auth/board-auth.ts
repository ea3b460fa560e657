/**
 * Who may do what in JWT mode (docs/auth.md). A token names a board by its edit id, its view id
 * or `*`; an `edit` token allows edit and view access, a `view` token only view access. Creating
 * a board (or an `/api/` route naming none) needs a token for `*`. The decision is a pure function
 * of the claims and the target, so HTTP, the WebSocket handshake and refreshes share it.
 */
import type { IncomingMessage } from 'node:http';
import type { BoardRecord, Role } from '../storage/board-store.ts';
import { ANY_BOARD, expiresAtMs, secretKey, verifyToken, type BoardClaims } from './tokens.ts';

/** What a request or connection reaches: a known board, a name that would become one, or none. */
export type AuthTarget =
  | { kind: 'board'; board: BoardRecord; role: Role }
  | { kind: 'new-board'; id: string }
  | { kind: 'all-boards'; role: Role };

/** A verified token and when it stops being good (ms since the epoch, leeway included). */
export interface AuthGrant {
  claims: BoardClaims;
  expiresAtMs: number;
}

export type AuthDecision =
  { ok: true; grant: AuthGrant } | { ok: false; status: 401 | 403; detail: string; reason: string };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token a request carries: `?token=` first, then `Authorization: Bearer`. */
export function tokenFromRequest(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers.authorization;
  return (header && BEARER.exec(header)?.[1]) || null;
}

export function boardMatches(claims: BoardClaims, board: BoardRecord): boolean {
  return (
    claims.board === ANY_BOARD || claims.board === board.editId || claims.board === board.viewId
  );
}

/** Why `claims` do not allow `target`, or null when they do. */
export function forbiddenReason(claims: BoardClaims, target: AuthTarget): string | null {
  switch (target.kind) {
    case 'board':
      if (!boardMatches(claims, target.board)) return 'token is for another board';
      return target.role === 'edit' && claims.role !== 'edit'
        ? 'token does not allow editing'
        : null;
    case 'new-board':
      if (claims.board !== ANY_BOARD && claims.board !== target.id)
        return 'token is for another board';
      return claims.role !== 'edit' ? 'creating a board needs an edit token' : null;
    case 'all-boards':
      if (claims.board !== ANY_BOARD) return 'this needs a token for every board (*)';
      return target.role === 'edit' && claims.role !== 'edit'
        ? 'token does not allow editing'
        : null;
  }
}

export class BoardAuth {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly leewaySeconds: number,
  ) {
    this.key = secretKey(secret);
  }

  /** Checks a token (or its absence) against a target: 401 without a good token, 403 without the right. */
  async decide(token: string | null, target: AuthTarget | null): Promise<AuthDecision> {
    const grant = await this.verify(token);
    if (!grant.ok) return grant;
    if (target) {
      const reason = forbiddenReason(grant.grant.claims, target);
      if (reason) return { ok: false, status: 403, detail: reason, reason: 'auth_forbidden' };
    }
    return grant;
  }

  /** Verifies a token alone: 401 when missing, invalid or expired. */
  async verify(token: string | null): Promise<AuthDecision> {
    if (!token)
      return { ok: false, status: 401, detail: 'a token is needed', reason: 'auth_missing' };
    const check = await verifyToken(this.key, token, this.leewaySeconds);
    if (!check.ok)
      return { ok: false, status: 401, detail: check.detail, reason: `auth_${check.problem}` };
    return {
      ok: true,
      grant: { claims: check.claims, expiresAtMs: expiresAtMs(check.claims, this.leewaySeconds) },
    };
  }
}
