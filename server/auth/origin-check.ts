/**
 * ALLOWED_ORIGINS (docs/auth.md). Browsers send `Origin` on every WebSocket upgrade and on
 * cross-origin requests; a request without one is not from a browser page, so the list does not
 * apply to it. The server's own origin (its Host, or PUBLIC_URL) is always allowed.
 */
import type { IncomingMessage } from 'node:http';

export function originAllowed(
  req: IncomingMessage,
  allowed: readonly string[] | null,
  publicUrl: string | null,
): boolean {
  const origin = req.headers.origin;
  if (allowed === null || origin === undefined) return true;
  if (allowed.includes(origin) || origin === publicUrl) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false; // "null" and other opaque origins
  }
}
