/**
 * `GET /api/boards/<editId>/links` → `{ editId, viewId, editUrl, viewUrl, embedHtml }`.
 * Addressed by a view id it is 403: a view id never leads to the edit id. A valid name that is
 * no board yet becomes one, as opening `/board/<name>` would; a reset link is 404.
 */
import type { IncomingMessage } from 'node:http';
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import { isValidBoardId } from '../../common/board/ids.ts';
import type { AppContext } from '../app-context.ts';
import type { BoardRecord } from '../storage/board-store.ts';
import { escapeXml } from '../../common/render/svg-render.ts'; // XML escaping is HTML-attribute safe
import { sendError, sendJson } from './respond.ts';
import type { Route } from './route.ts';

const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The origin links point at: PUBLIC_URL, else the request's own Host (when it looks sane). */
export function publicOrigin(ctx: AppContext, req: IncomingMessage): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl;
  const host =
    req.headers.host && HOST_PATTERN.test(req.headers.host)
      ? req.headers.host
      : `localhost:${ctx.config.port}`;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

export function embedSnippet(viewUrl: string): string {
  return (
    `<iframe src="${escapeXml(viewUrl)}" width="800" height="600" style="border:0" ` +
    `title="Boardcast board" loading="lazy" allowfullscreen></iframe>`
  );
}

/** The links JSON of a board (what `GET …/links`, a link reset and an import answer). */
export function boardLinks(ctx: AppContext, req: IncomingMessage, board: BoardRecord) {
  const origin = publicOrigin(ctx, req);
  const viewUrl = `${origin}/view/${board.viewId}`;
  return {
    editId: board.editId,
    viewId: board.viewId,
    editUrl: `${origin}/board/${board.editId}`,
    viewUrl,
    embedHtml: embedSnippet(viewUrl),
  };
}

export function linkRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/api\/boards\/([^/]+)\/links$/,
      async handle({ req, res, params }) {
        const id = params[0];
        if (!isValidBoardId(id)) return sendError(res, 400, 'bad board id');
        const access = await ctx.registry.resolve(id, true);
        if (!access) return sendError(res, 404, GONE_MESSAGE);
        if (access.role !== 'edit') return sendError(res, 403, 'links need the edit id');
        sendJson(res, 200, boardLinks(ctx, req, access.board));
      },
    },
  ];
}
