/**
 * The token of one open WebSocket (JWT mode). It starts with the grant checked at the handshake;
 * each in-band refresh (message type 100) replaces it, and the expiry timer is re-armed. The
 * connection's role is the lesser of how it reached the board (edit id / view id) and the
 * token's role, so a refresh from edit to view makes it read-only at once, and back again.
 *   - a refresh that is missing its signature, malformed or already expired → 4401
 *   - a refresh for another board → 4403
 *   - the token expires unrefreshed → 4401
 */
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import type { BoardRecord, Role } from '../storage/board-store.ts';
import { boardMatches, type AuthGrant, type BoardAuth } from './board-auth.ts';
import { scheduleAt } from './request-token.ts';

export type RefreshResult =
  { ok: true } | { ok: false; close: CloseCode; detail: string; reason: string };

export class ConnectionToken {
  private cancelExpiry: () => void = () => {};
  private disposed = false;

  constructor(
    private grant: AuthGrant,
    private readonly auth: BoardAuth,
    private readonly onExpire: () => void,
  ) {
    this.arm();
  }

  get role(): Role {
    return this.grant.claims.role;
  }

  get expiresAtMs(): number {
    return this.grant.expiresAtMs;
  }

  async refresh(token: string, board: BoardRecord): Promise<RefreshResult> {
    const decision = await this.auth.verify(token);
    if (!decision.ok)
      return {
        ok: false,
        close: CLOSE.NOT_AUTHENTICATED,
        detail: decision.detail,
        reason: `refresh_${decision.reason}`,
      };
    if (!boardMatches(decision.grant.claims, board)) {
      return {
        ok: false,
        close: CLOSE.FORBIDDEN,
        detail: 'token is for another board',
        reason: 'refresh_auth_forbidden',
      };
    }
    if (this.disposed) return { ok: true };
    this.grant = decision.grant;
    this.arm();
    return { ok: true };
  }

  dispose(): void {
    this.disposed = true;
    this.cancelExpiry();
  }

  private arm(): void {
    this.cancelExpiry();
    if (this.disposed) return;
    this.cancelExpiry = scheduleAt(this.grant.expiresAtMs, () => {
      if (!this.disposed) this.onExpire();
    });
  }
}
