/**
 * What pages need from JWT mode and ALLOWED_ORIGINS, added by the auth guard before the page
 * route runs (so the page routes stay as they are). Pages load without a token; the client
 * (client/auth/token-session.ts) reads its token from the page URL and the token URL from
 *   <meta name="boardcast-token-url" content="…">
 * which is added to the editor and viewer pages when TOKEN_URL is set. With ALLOWED_ORIGINS,
 * the editor may be framed by those origins too (CSP frame-ancestors, which browsers obey over
 * the page's own X-Frame-Options: SAMEORIGIN).
 */
import type { ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { addToPageHead } from '../http/static-files.ts';
import { escapeXml } from '../../common/render/svg-render.ts'; // XML escaping is HTML-attribute safe

export const TOKEN_URL_META = 'boardcast-token-url';

/** Markup added before `</head>` of the editor and viewer pages ('' when nothing to add). */
export function pageHeadHtml(config: Pick<Config, 'tokenUrl'>): string {
  return config.tokenUrl
    ? `<meta name="${TOKEN_URL_META}" content="${escapeXml(config.tokenUrl)}" />`
    : '';
}

const EDITOR_PAGE = /^\/board\/[^/]+\/?$/;
const VIEWER_PAGE = /^\/view\/[^/]+\/?$/;

/** Prepares the response of an editor or viewer page; does nothing for other paths. */
export function preparePage(
  pathname: string,
  res: ServerResponse,
  config: Pick<Config, 'tokenUrl' | 'allowedOrigins'>,
): void {
  const editor = EDITOR_PAGE.test(pathname);
  if (!editor && !VIEWER_PAGE.test(pathname)) return;
  const head = pageHeadHtml(config);
  if (head) addToPageHead(res, head);
  if (editor && config.allowedOrigins) {
    res.setHeader(
      'content-security-policy',
      `frame-ancestors 'self' ${config.allowedOrigins.join(' ')}`,
    );
  }
}

/** `?token=…` to carry the request's token on to the page it redirects to ('' without one). */
export function tokenQuery(url: URL): string {
  const token = url.searchParams.get('token');
  return token ? `?token=${encodeURIComponent(token)}` : '';
}
