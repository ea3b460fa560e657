/**
 * What pages need from JWT mode and ALLOWED_ORIGINS. Pages load without a token; the client
 * (client/auth/token-session.ts) reads its token from the page URL and the token URL from
 *   <meta name="boardcast-token-url" content="…">
 * which the server adds to the editor and viewer pages when TOKEN_URL is set. With
 * ALLOWED_ORIGINS, the editor may be framed by those origins (CSP frame-ancestors), else only by
 * its own.
 */
import type { Config } from '../config.ts';

export const TOKEN_URL_META = 'boardcast-token-url';

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Markup added before `</head>` of the editor and viewer pages ('' when nothing to add). */
export function pageHeadHtml(config: Pick<Config, 'tokenUrl'>): string {
  return config.tokenUrl
    ? `<meta name="${TOKEN_URL_META}" content="${escapeAttribute(config.tokenUrl)}" />`
    : '';
}

/** Framing headers for the editor page. */
export function editorFrameHeaders(config: Pick<Config, 'allowedOrigins'>): Record<string, string> {
  if (!config.allowedOrigins) return { 'x-frame-options': 'SAMEORIGIN' };
  return { 'content-security-policy': `frame-ancestors 'self' ${config.allowedOrigins.join(' ')}` };
}

/** `?token=…` to carry the request's token on to the page it redirects to ('' without one). */
export function tokenQuery(url: URL): string {
  const token = url.searchParams.get('token');
  return token ? `?token=${encodeURIComponent(token)}` : '';
}
