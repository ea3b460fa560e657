/**
 * CORS for the read-only viewer routes: any origin may read them, so an embed or a program on
 * another site works. No credentials are involved (a JWT travels in `?token=` or a header), so
 * `*` is safe. Errors carry the headers too, so a page elsewhere can read a 404 as a 404.
 */
import type { ServerResponse } from 'node:http';

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, Retry-After',
};

const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  ...CORS_HEADERS,
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Authorization, Cache-Control, If-None-Match, Last-Event-ID',
  'access-control-max-age': '86400',
};

/** Answers a preflight: 204 with what a cross-origin GET may send. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(204, { ...PREFLIGHT_HEADERS, 'content-length': '0' });
  res.end();
}
