/**
 * A board's name in `GET /api/admin/connections`: a short SHA-256 digest of its internal key.
 * The route is as open as /metrics, so it must not list ids (an edit id grants editing); the
 * operator CLI, which reads the keys from storage, computes the same digest to match boards up.
 */
import { createHash } from 'node:crypto';

const DIGEST_HEX_CHARS = 16;

export function boardDigest(key: string): string {
  return createHash('sha256')
    .update(`boardcast-board:${key}`)
    .digest('hex')
    .slice(0, DIGEST_HEX_CHARS);
}

/** What the route answers per loaded board. */
export interface BoardConnections {
  board: string;
  /** WebSocket peers by the id they came by. */
  editors: number;
  readers: number;
  /** SSE streams, waiting long polls and requests in flight. */
  viewers: number;
}
