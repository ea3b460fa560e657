/**
 * Serves the built client from dist/: the two pages and their hashed assets. Asset names are
 * checked against a strict pattern, so no path from a request ever leaves dist/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { sendError } from './respond.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};
export const ASSET_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}$/;
/** Markup to add before `</head>` of the page a response will carry (set by the auth guard). */
const pageHeads = new WeakMap<ServerResponse, string>();

export function addToPageHead(res: ServerResponse, html: string): void {
  pageHeads.set(res, (pageHeads.get(res) ?? '') + html);
}

export async function sendDistFile(
  res: ServerResponse,
  distDir: string,
  relativePath: string,
  cacheControl: string,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  const file = path.join(distDir, relativePath);
  if (!file.startsWith(distDir + path.sep)) return sendError(res, 404, 'not found');
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    // A missing page means the client was never built; a missing asset is just not there.
    const page = !relativePath.includes('/') && relativePath.endsWith('.html');
    return sendError(
      res,
      page ? 503 : 404,
      page ? 'client not built: run `npm run build`' : 'not found',
    );
  }
  const headHtml = pageHeads.get(res);
  if (headHtml && file.endsWith('.html'))
    body = Buffer.from(body.toString('utf8').replace('</head>', () => `${headHtml}</head>`));
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': body.byteLength,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
    ...extraHeaders,
  });
  res.end(body);
}
