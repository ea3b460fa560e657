/**
 * What a WebSocket upgrade must pass before it is upgraded (contract: "JWT mode"), answered with
 * a real HTTP status rather than an upgrade and a close: 403 from a page on an origin not in
 * ALLOWED_ORIGINS; in JWT mode 401 without a good token, 403 with one for another board or role.
 * An id that is not valid, or a reset one, is left to the connection (upgrade, then 4400 or
 * 4404), as outside JWT mode, once the token itself is good.
 */
import type { IncomingMessage } from 'node:http';
import { isValidBoardId } from '../../common/board/ids.ts';
import type { Config } from '../config.ts';
import type { RoomRegistry } from '../room/room-registry.ts';
import {
  tokenFromRequest,
  type AuthDecision,
  type AuthGrant,
  type BoardAuth,
} from './board-auth.ts';
import { originAllowed } from './origin-check.ts';

export type UpgradeVerdict =
  | { ok: true; grant: AuthGrant | null }
  | { ok: false; status: number; message: string; reason: string };

export interface UpgradeGuardDeps {
  config: Pick<Config, 'allowedOrigins' | 'publicUrl'>;
  registry: RoomRegistry;
  auth: BoardAuth | null;
  /** Whether `id` is a reset link (board-store.ts `isRetired`). */
  isRetired(id: string): Promise<boolean>;
}

export async function checkUpgrade(
  req: IncomingMessage,
  url: URL,
  id: string,
  deps: UpgradeGuardDeps,
): Promise<UpgradeVerdict> {
  if (!originAllowed(req, deps.config.allowedOrigins, deps.config.publicUrl)) {
    return { ok: false, status: 403, message: 'Forbidden: origin not allowed', reason: 'origin' };
  }
  if (!deps.auth) return { ok: true, grant: null };
  const token = tokenFromRequest(req, url);
  let decision: AuthDecision;
  const access = isValidBoardId(id) ? await deps.registry.resolve(id, false) : null;
  if (access) {
    decision = await deps.auth.decide(token, {
      kind: 'board',
      board: access.board,
      role: access.role,
    });
  } else if (isValidBoardId(id) && !(await deps.isRetired(id))) {
    decision = await deps.auth.decide(token, { kind: 'new-board', id });
  } else {
    decision = await deps.auth.verify(token);
  }
  if (decision.ok) return { ok: true, grant: decision.grant };
  const label = decision.status === 401 ? 'Unauthorized' : 'Forbidden';
  return {
    ok: false,
    status: decision.status,
    message: `${label}: ${decision.detail}`,
    reason: decision.reason,
  };
}
