/**
 * Pages: `/` creates a board and redirects to its editor; `/board/<editId>` is the editor,
 * `/view/<viewId>` the embed-only viewer (allowed in frames on any site); `/assets/*` the
 * hashed client files; `/sw.js` the editor's service worker (client/public/sw.js), never cached
 * so a new version is picked up at the next visit.
 */
import { isValidBoardId, newRandomId } from '../../common/board/ids.ts';
import type { AppContext } from '../app-context.ts';
import { tokenQuery } from '../auth/page-auth.ts';
import { sendError } from './respond.ts';
import type { Route } from './route.ts';
import { ASSET_NAME_PATTERN, sendDistFile } from './static-files.ts';

const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=31536000, immutable';

export function pageRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: ['GET', 'HEAD'],
      path: /^\/$/,
      async handle({ res, url }) {
        const board = await ctx.store.ensureBoard(newRandomId());
        // JWT mode: the editor page passes on the token in its URL.
        res.writeHead(302, {
          location: `/board/${board.editId}${tokenQuery(url)}`,
          'cache-control': 'no-store',
        });
        res.end();
      },
    },
    {
      method: ['GET', 'HEAD'],
      path: /^\/board\/([^/]+)\/?$/,
      async handle({ res, params }) {
        if (!isValidBoardId(params[0])) return sendError(res, 400, 'bad board id');
        await sendDistFile(res, ctx.distDir, 'editor.html', PAGE_CACHE, {
          'x-frame-options': 'SAMEORIGIN',
        });
      },
    },
    {
      method: ['GET', 'HEAD'],
      path: /^\/view\/([^/]+)\/?$/,
      async handle({ res, params }) {
        if (!isValidBoardId(params[0])) return sendError(res, 400, 'bad board id');
        await sendDistFile(res, ctx.distDir, 'viewer.html', PAGE_CACHE);
      },
    },
    {
      method: ['GET', 'HEAD'],
      path: /^\/sw\.js$/,
      async handle({ res }) {
        await sendDistFile(res, ctx.distDir, 'sw.js', PAGE_CACHE, {
          'content-type': 'text/javascript; charset=utf-8',
          'service-worker-allowed': '/',
        });
      },
    },
    {
      method: ['GET', 'HEAD'],
      path: /^\/assets\/([^/]+)$/,
      async handle({ res, params }) {
        const name = params[0] ?? '';
        if (!ASSET_NAME_PATTERN.test(name)) return sendError(res, 404, 'not found');
        await sendDistFile(res, ctx.distDir, `assets/${name}`, ASSET_CACHE);
      },
    },
  ];
}
