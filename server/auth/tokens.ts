/**
 * Board tokens (docs/auth.md): HS256 JWTs with the claims `board` (an edit id, a view id or `*`),
 * `role` (`edit` or `view`) and `exp`. Signing is for `npm run token` and tests; verifying answers
 * a small union, never throws, and never puts the token in an error.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { isValidBoardId } from '../../common/board/ids.ts';
import type { Role } from '../storage/board-store.ts';

export const ANY_BOARD = '*';
const ALGORITHM = 'HS256';

export interface BoardClaims {
  /** An edit id, a view id, or `*` for every board. */
  board: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type TokenCheck =
  | { ok: true; claims: BoardClaims }
  /** `expired`: signature fine, past `exp` + leeway. `invalid`: anything else. */
  | { ok: false; problem: 'expired' | 'invalid'; detail: string };

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export function isRole(value: unknown): value is Role {
  return value === 'edit' || value === 'view';
}

export function isBoardClaim(value: unknown): value is string {
  return value === ANY_BOARD || isValidBoardId(value);
}

export async function verifyToken(
  key: Uint8Array,
  token: string,
  leewaySeconds: number,
  nowMs = Date.now(),
): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      clockTolerance: leewaySeconds,
      requiredClaims: ['exp'],
      currentDate: new Date(nowMs),
    });
    if (!isBoardClaim(payload.board))
      return { ok: false, problem: 'invalid', detail: 'claim "board" must be a board id or *' };
    if (!isRole(payload.role))
      return { ok: false, problem: 'invalid', detail: 'claim "role" must be edit or view' };
    if (typeof payload.exp !== 'number')
      return { ok: false, problem: 'invalid', detail: 'claim "exp" missing' };
    return { ok: true, claims: { board: payload.board, role: payload.role, exp: payload.exp } };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      return { ok: false, problem: 'expired', detail: 'token expired' };
    return { ok: false, problem: 'invalid', detail: 'token invalid' };
  }
}

export async function signToken(key: Uint8Array, claims: BoardClaims): Promise<string> {
  return new SignJWT({ board: claims.board, role: claims.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(claims.exp)
    .sign(key);
}

/** Milliseconds since the epoch after which a token with these claims is refused. */
export function expiresAtMs(claims: BoardClaims, leewaySeconds: number): number {
  return (claims.exp + leewaySeconds) * 1_000;
}
