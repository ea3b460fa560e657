/**
 * Board history over HTTP (server/history/board-history.ts), by the edit id only (a view id is
 * 403: read-only links cannot list or restore):
 *   GET  /api/boards/<editId>/history               → `{ "checkpoints": [ { "n", "time",
 *        "shapeCount", "names", "bytes" }, … ] }`, newest first
 *   GET  /api/boards/<editId>/history/<n>           → `{ "n", "time", "shapes": [ … ] }`: the
 *        checkpoint's valid shapes in paint order (the editor restores from this, as its own
 *        undoable edit)
 *   GET  /api/boards/<editId>/history/<n>.svg       → the checkpoint as an SVG image
 *   POST /api/boards/<editId>/history/<n>/restore   → makes the board equal to checkpoint n by
 *        one server edit (stored, then relayed to everyone; people editing meanwhile keep
 *        working and their later edits apply on top) → `{ "restored": n, "shapeCount" }`
 * Unknown checkpoint: 404. The per-address rate of the shapes API applies.
 */
import type { ServerResponse } from 'node:http';
import { readShapesOfState, restoreShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import { renderBoardSvg } from '../../common/render/svg-render.ts';
import type { AppContext } from '../app-context.ts';
import { RequestRates } from '../limits/request-rates.ts';
import { RoomWriteError } from '../room/commit-queue.ts';
import type { BoardAccess } from '../storage/board-store.ts';
import { findBoard, holdBoard, withinRate, type OpenOptions } from './board-request.ts';
import { sendError, sendJson } from './respond.ts';
import type { Route, RouteRequest } from './route.ts';

/** The origin of a restore's server edit, as room subscribers see it. */
export const HISTORY_RESTORE_ORIGIN = 'history-restore';

const EDIT_ONLY: OpenOptions = { need: 'edit', create: false, what: 'board history' };

export function historyRoutes(ctx: AppContext): Route[] {
  const rates = new RequestRates(
    'history',
    ctx.config.shapesApiRatePerSecond,
    ctx.config.shapesApiBurst,
    ctx.metrics.refusals,
  );

  /** The checkpoint's shapes, or null once a 404 is answered. */
  async function checkpointShapes(
    res: ServerResponse,
    access: BoardAccess,
    n: number,
  ): Promise<Shape[] | null> {
    const state = await ctx.history.load(access.board.key, n);
    if (state) return readShapesOfState(state);
    sendError(res, 404, 'no such checkpoint');
    return null;
  }

  async function list({ req, res, params }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res)) return;
    const access = await findBoard(ctx, res, params[0], EDIT_ONLY);
    if (!access) return;
    const checkpoints = await ctx.store.history.list(access.board.key);
    sendJson(res, 200, {
      checkpoints: checkpoints.map(({ n, at, shapes, names, bytes }) => ({
        n,
        time: new Date(at).toISOString(),
        shapeCount: shapes,
        names,
        bytes,
      })),
    });
  }

  async function one({ req, res, params, url }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res)) return;
    const access = await findBoard(ctx, res, params[0], EDIT_ONLY);
    if (!access) return;
    const n = Number(params[1]);
    const shapes = await checkpointShapes(res, access, n);
    if (!shapes) return;
    if (!url.pathname.endsWith('.svg')) return sendJson(res, 200, { n, shapes });
    const body = Buffer.from(renderBoardSvg(shapes));
    res.writeHead(200, {
      'content-type': 'image/svg+xml; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      // A checkpoint never changes: the browser may keep its image (it is private to editors).
      'cache-control': 'private, max-age=86400, immutable',
      'content-length': body.byteLength,
    });
    res.end(body);
  }

  async function restore({ req, res, params }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res)) return;
    const held = await holdBoard(ctx, res, params[0], EDIT_ONLY);
    if (!held) return;
    try {
      const n = Number(params[1]);
      const shapes = await checkpointShapes(res, held.access, n);
      if (!shapes) return;
      try {
        await held.lease.room.applyServerEdit(
          (doc) => restoreShapes(doc, shapes),
          HISTORY_RESTORE_ORIGIN,
        );
      } catch (error) {
        if (!(error instanceof RoomWriteError)) throw error;
        return sendError(res, 503, `the restore was not stored: ${error.message}`, {
          'retry-after': '5',
        });
      }
      ctx.log.info({ n, shapes: shapes.length }, 'board restored from its history');
      sendJson(res, 200, { restored: n, shapeCount: shapes.length });
    } finally {
      held.lease.release();
    }
  }

  return [
    { method: 'GET', path: /^\/api\/boards\/([^/]+)\/history$/, handle: list },
    { method: 'GET', path: /^\/api\/boards\/([^/]+)\/history\/(\d{1,9})(?:\.svg)?$/, handle: one },
    {
      method: 'POST',
      path: /^\/api\/boards\/([^/]+)\/history\/(\d{1,9})\/restore$/,
      handle: restore,
    },
  ];
}
