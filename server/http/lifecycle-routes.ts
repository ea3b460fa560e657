/**
 * A board's lifecycle over HTTP, each by its edit id only (a view id is 403; in JWT mode the
 * guard asks for an edit token, as for any edit id):
 *   POST   /api/boards/<editId>/links/rotate  `{ "which": "view" | "edit" }` → the new links; the
 *          old id is closed everywhere (4404, SSE `event: gone`, HTTP 404) before the answer
 *   DELETE /api/boards/<editId>               → 204; every connection closed with 4404
 *   GET    /api/boards/<editId>/export        → the board file (server/ops/board-archive.ts)
 *   POST   /api/boards/import                 → 201 and the links of a new board made from a
 *          board file; `?keepIds=1` keeps the file's ids, only where the operator set
 *          IMPORT_KEEP_IDS=1 (409 when one of them is taken or was reset)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBoardId } from '../../common/board/ids.ts';
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import type { AppContext } from '../app-context.ts';
import { exportBoard, readArchive } from '../ops/board-archive.ts';
import type { BoardAccess, Role } from '../storage/board-store.ts';
import { boardLinks } from './link-routes.ts';
import { readBody } from './read-body.ts';
import { sendError, sendJson } from './respond.ts';
import type { Route } from './route.ts';

/** `{ "which": "edit" }` and a little room. */
const MAX_ROTATE_BODY_BYTES = 1_024;
export const IMPORT_PATH = '/api/boards/import';

/** The board by its edit id, or null once the error is answered (400, 404, 403 for a view id). */
async function byEditId(
  ctx: AppContext,
  res: ServerResponse,
  id: string | undefined,
  what: string,
): Promise<BoardAccess | null> {
  const refuse = (status: number, message: string) => {
    sendError(res, status, message);
    return null;
  };
  if (!isValidBoardId(id)) return refuse(400, 'bad board id');
  const access = await ctx.registry.resolve(id, false);
  if (!access) return refuse(404, (await ctx.store.isRetired(id)) ? GONE_MESSAGE : 'no such board');
  if (access.role !== 'edit') return refuse(403, `${what} needs the edit id`);
  return access;
}

async function readWhich(req: IncomingMessage): Promise<Role | null> {
  const body = await readBody(req, MAX_ROTATE_BODY_BYTES);
  try {
    const which: unknown = body
      ? (JSON.parse(body.toString('utf8')) as { which?: unknown }).which
      : null;
    return which === 'edit' || which === 'view' ? which : null;
  } catch {
    return null;
  }
}

export function lifecycleRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/api\/boards\/([^/]+)\/links\/rotate$/,
      async handle({ req, res, params }) {
        const access = await byEditId(ctx, res, params[0], 'resetting a link');
        if (!access) return;
        const which = await readWhich(req);
        if (!which) return sendError(res, 400, 'the body must be {"which": "view" | "edit"}');
        const board = await ctx.registry.rotate(access.board.key, which);
        if (!board) return sendError(res, 404, GONE_MESSAGE);
        ctx.log.info({ which }, 'board link reset');
        sendJson(res, 200, boardLinks(ctx, req, board));
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/boards\/([^/]+)$/,
      async handle({ res, params }) {
        const access = await byEditId(ctx, res, params[0], 'deleting a board');
        if (!access) return;
        if (!(await ctx.registry.delete(access.board.key)))
          return sendError(res, 404, GONE_MESSAGE);
        ctx.log.info('board deleted');
        res.writeHead(204, { 'cache-control': 'no-store' }).end();
      },
    },
    {
      method: 'GET',
      path: /^\/api\/boards\/([^/]+)\/export$/,
      async handle({ res, params }) {
        const access = await byEditId(ctx, res, params[0], 'exporting a board');
        if (!access) return;
        const archive = await exportBoard(ctx.store, access.board);
        sendJson(res, 200, archive, {
          'content-disposition': `attachment; filename="${access.board.editId}.boardcast.json"`,
        });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/boards\/import$/,
      async handle({ req, res, url }) {
        const keepIds = url.searchParams.get('keepIds') === '1';
        if (keepIds && !ctx.config.importKeepIds)
          return sendError(res, 403, 'keeping ids needs IMPORT_KEEP_IDS=1 on the server');
        const body = await readBody(req, ctx.config.maxImportBytes);
        if (!body)
          return sendError(res, 413, `a board file is at most ${ctx.config.maxImportBytes} bytes`, {
            connection: 'close',
          });
        const checked = readArchive(body.toString('utf8'), ctx.config.maxImportBytes);
        if (!checked.ok) return sendError(res, checked.status, checked.error);
        const { ids, state, assets } = checked.board;
        const board = await ctx.store.createBoard(keepIds ? ids : null, state, assets);
        if (!board) return sendError(res, 409, 'a board id in the file is taken or was reset');
        ctx.log.info({ keepIds, assets: assets.length }, 'board imported');
        sendJson(res, 201, boardLinks(ctx, req, board));
      },
    },
  ];
}
