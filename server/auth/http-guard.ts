/**
 * The HTTP side of JWT mode and ALLOWED_ORIGINS, as one guard the router runs before every matched
 * route, so routes added later are covered without code of their own:
 *   - `/api/boards/<id>…` (any suffix: `/links`, `/events`, `.svg`…): the id is resolved to its
 *     board; an edit id needs an edit token, a view id any token for the board; an id that names
 *     no board yet counts as a new board (edit token for it or `*`); a reset id needs any good
 *     token (the route answers 404: the token cannot be for a board that answers to it).
 *   - any other `/api/…`: a token for `*`.   - `GET /` (creates a board): an edit token for `*`.
 *   - `POST /api/boards/import` (creates a board): an edit token for `*`.
 *   - pages, assets, `/healthz`, `/metrics`: open (pages get the token URL meta tag and, with
 *     ALLOWED_ORIGINS, the editor its frame-ancestors: page-auth.ts).
 *   - `OPTIONS` (CORS preflight): open.
 * Missing/invalid/expired token → 401 (`WWW-Authenticate: Bearer`); another board or role → 403.
 * With ALLOWED_ORIGINS, a request for edit access from a page on another origin is 403; read-only
 * requests stay open to every origin (embeds).
 */
import { isValidBoardId } from '../../common/board/ids.ts';
import type { AppContext } from '../app-context.ts';
import { IMPORT_PATH } from '../http/lifecycle-routes.ts';
import { sendError } from '../http/respond.ts';
import type { RouteRequest } from '../http/route.ts';
import { tokenFromRequest, type AuthTarget, type BoardAuth } from './board-auth.ts';
import { originAllowed } from './origin-check.ts';
import { preparePage } from './page-auth.ts';
import { rememberGrant } from './request-token.ts';

/** Runs before a matched route; resolves false when it already answered the request. */
export type RouteGuard = (request: RouteRequest) => Promise<boolean>;

const BOARD_API_PATH = /^\/api\/boards\/([^/.]+)/;

/** null: not guarded. `{ target: null }`: a token is needed, but no particular right. */
async function targetOf(
  ctx: AppContext,
  pathname: string,
  method: string | undefined,
): Promise<{ target: AuthTarget | null } | null> {
  if (pathname === '/' || (pathname === IMPORT_PATH && method === 'POST'))
    return { target: { kind: 'all-boards', role: 'edit' } };
  if (!pathname.startsWith('/api/')) return null;
  const match = BOARD_API_PATH.exec(pathname);
  if (!match) return { target: { kind: 'all-boards', role: 'view' } };
  let id: string;
  try {
    id = decodeURIComponent(match[1] ?? '');
  } catch {
    return { target: null }; // the route answers 400
  }
  if (!isValidBoardId(id)) return { target: null };
  const access = await ctx.registry.resolve(id, false);
  if (access) return { target: { kind: 'board', board: access.board, role: access.role } };
  return { target: (await ctx.store.isRetired(id)) ? null : { kind: 'new-board', id } };
}

function needsEdit(target: AuthTarget | null): boolean {
  return target !== null && (target.kind === 'new-board' || target.role === 'edit');
}

export function createAuthGuard(ctx: AppContext, auth: BoardAuth | null): RouteGuard | null {
  const { allowedOrigins, publicUrl, tokenUrl } = ctx.config;
  if (!auth && !allowedOrigins && !tokenUrl) return null;
  return async ({ req, res, url }) => {
    if (req.method === 'OPTIONS') return true;
    const guarded = await targetOf(ctx, url.pathname, req.method);
    if (!guarded) {
      preparePage(url.pathname, res, ctx.config);
      return true;
    }
    if (needsEdit(guarded.target) && !originAllowed(req, allowedOrigins, publicUrl)) {
      ctx.metrics.refusals.inc({ reason: 'origin' });
      sendError(res, 403, 'origin not allowed');
      return false;
    }
    if (!auth) return true;
    const decision = await auth.decide(tokenFromRequest(req, url), guarded.target);
    if (!decision.ok) {
      ctx.metrics.refusals.inc({ reason: decision.reason });
      // Readable from any origin, as the read-only routes' own errors are: an embed elsewhere can
      // tell a 401 (fetch a fresh token) from a network failure. No credentials are involved.
      const headers: Record<string, string> = { 'access-control-allow-origin': '*' };
      if (decision.status === 401) headers['www-authenticate'] = 'Bearer';
      if (decision.status === 401) headers['access-control-expose-headers'] = 'WWW-Authenticate';
      sendError(res, decision.status, decision.detail, headers);
      return false;
    }
    rememberGrant(req, decision.grant);
    return true;
  };
}
