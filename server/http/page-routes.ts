/**
 * Pages: `/` creates a board and redirects to its editor; `/board/<editId>` is the editor,
 * `/view/<viewId>` the embed-only viewer (allowed in frames on any site); both are a 404 page
 * for a link that was reset (opening it must never make a new board under that name, and a
 * reader must learn at once that the link is dead); `/assets/*` the
 * hashed client files; `/sw.js` the editor's service worker (client/public/sw.js), never cached
 * so a new version is picked up at the next visit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBoardId } from '../../common/board/ids.ts';
import { escapeXml } from '../../common/render/svg-render.ts'; // XML escaping is HTML-attribute safe
import type { AppContext } from '../app-context.ts';
import { tokenQuery } from '../auth/page-auth.ts';
import { publicOrigin } from './link-routes.ts';
import { sendError, sendHtml } from './respond.ts';
import type { Route } from './route.ts';
import { ASSET_NAME_PATTERN, addToPageHead, sendDistFile } from './static-files.ts';

/** Width of the link-preview image (the size Open Graph consumers prefer). */
export const PREVIEW_WIDTH = 1200;

const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=31536000, immutable';

export function pageRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: ['GET', 'HEAD'],
      path: /^\/$/,
      async handle({ res, url }) {
        const board = await ctx.store.createBoard(null, null);
        if (!board) throw new Error('a board with random ids could not be created');
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
      async handle({ req, res, params }) {
        if (!isValidBoardId(params[0])) return sendError(res, 400, 'bad board id');
        if (await isResetLink(ctx, params[0])) return sendResetPage(res);
        addToPageHead(res, await previewTags(ctx, req, params[0]));
        await sendDistFile(res, ctx.distDir, 'editor.html', PAGE_CACHE, {
          'x-frame-options': 'SAMEORIGIN',
        });
      },
    },
    {
      method: ['GET', 'HEAD'],
      path: /^\/view\/([^/]+)\/?$/,
      async handle({ req, res, params }) {
        if (!isValidBoardId(params[0])) return sendError(res, 400, 'bad board id');
        if (await isResetLink(ctx, params[0])) return sendResetPage(res);
        addToPageHead(res, await previewTags(ctx, req, params[0]));
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

/**
 * Open Graph tags, so a shared link previews the board: its PNG addressed by the VIEW id (the
 * preview never carries the edit id). Left out where the image could not be fetched by a link
 * unfurler: no such board yet, storage trouble, or JWT mode (the image needs a token).
 */
async function previewTags(ctx: AppContext, req: IncomingMessage, id: string): Promise<string> {
  const title =
    '<meta property="og:title" content="Boardcast board" /><meta property="og:type" content="website" />';
  if (ctx.config.authSecret) return title;
  const access = await ctx.store.findBoard(id).catch(() => null);
  if (!access) return title;
  const image = `${publicOrigin(ctx, req)}/api/boards/${access.board.viewId}.png?width=${PREVIEW_WIDTH}`;
  return (
    title +
    `<meta property="og:image" content="${escapeXml(image)}" />` +
    `<meta property="og:image:width" content="${PREVIEW_WIDTH}" />` +
    '<meta name="twitter:card" content="summary_large_image" />' +
    `<meta name="twitter:image" content="${escapeXml(image)}" />`
  );
}

/** Whether `id` is a reset link. Storage trouble does not block the page (the editor opens offline). */
async function isResetLink(ctx: AppContext, id: string): Promise<boolean> {
  return ctx.store.isRetired(id).catch(() => false);
}

const RESET_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link reset · Boardcast</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 32rem">
<h1>This link was reset</h1>
<p>Someone reset this board's link, or deleted the board. Ask whoever shared it for the new one.</p>
</body></html>`;

function sendResetPage(res: ServerResponse): void {
  sendHtml(res, 404, RESET_PAGE);
}
