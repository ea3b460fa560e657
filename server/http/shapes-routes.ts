/**
 * Shapes over HTTP (contract: "Shapes over HTTP"), for scripts, integrations and agents that do
 * not speak Yjs:
 *   GET    /api/boards/<id>/shapes                 (either id) → `{ "shapes": [ … ] }`: the
 *          snapshot's shapes, valid ones only, in paint order
 *   POST   /api/boards/<editId>/shapes             `{ "shapes": [ {…}, … ] }` adds shapes, or
 *          replaces those whose id exists (ids optional) → `{ "ids": [ … ], "shapes": [ … ] }`
 *   PATCH  /api/boards/<editId>/shapes/<shapeId>   `{ "x": 10, "text": "hi", "groupId": null }`
 *          sets fields (null removes an optional one) → `{ "shape": {…} }`; 404 when absent
 *   DELETE /api/boards/<editId>/shapes/<shapeId>   → 204; 404 when absent
 * Every shape and patch is checked against the schema first (common/board/shape-input.ts): 422
 * `{ "error", "field", "reason" }`, nothing written. A change is one server edit through the
 * room (`room.applyServerEdit`): stored before the answer, then relayed to every editor, viewer
 * and instance like any edit. JWT mode (an edit token for writes) and the per-address rate
 * (SHAPES_API_RATE_PER_S) apply; bodies are capped at SHAPES_API_MAX_BYTES (413).
 */
import type { ServerResponse } from 'node:http';
import {
  addShapes,
  patchShape,
  readStoredFields,
  removeShapes,
} from '../../common/board/board-doc.ts';
import { newShapeId } from '../../common/board/ids.ts';
import type { Shape } from '../../common/board/shape.ts';
import {
  checkShapePatch,
  checkShapesBody,
  type ShapeInputError,
} from '../../common/board/shape-input.ts';
import type { AppContext } from '../app-context.ts';
import { RequestRates } from '../limits/request-rates.ts';
import { RoomWriteError } from '../room/commit-queue.ts';
import type { ServerEdit } from '../room/server-draft.ts';
import { CORS_HEADERS, sendPreflight } from '../transports/viewers/cors.ts';
import { holdBoard, readJsonBody, withinRate, type HeldBoard } from './board-request.ts';
import { sendError, sendJson } from './respond.ts';
import type { Route, RouteRequest } from './route.ts';

/** The origin of the shapes API's server edits, as room subscribers see it. */
export const SHAPES_API_ORIGIN = 'shapes-api';

/** Thrown inside an edit: the shape it changes is not there (404). */
class ShapeMissing extends Error {}
/** Thrown inside an edit: the patch does not leave a valid shape (422). */
class PatchRefused extends Error {
  constructor(readonly problem: ShapeInputError) {
    super(problem.reason);
  }
}

function sendInvalid(ctx: AppContext, res: ServerResponse, problem: ShapeInputError): void {
  ctx.metrics.refusals.inc({ reason: 'invalid_shape' });
  ctx.log.info({ field: problem.field, reason: problem.reason }, 'shapes API: shape refused');
  sendJson(res, 422, {
    error: `invalid shape: ${problem.field} ${problem.reason}`,
    field: problem.field,
    reason: problem.reason,
  });
}

/**
 * Runs `edit` as a server edit on the held board and answers with `answer()` once it is stored
 * and relayed; maps the edit's own refusals and storage failures to their statuses.
 */
async function applyEdit(
  ctx: AppContext,
  res: ServerResponse,
  held: HeldBoard,
  edit: ServerEdit,
  answer: () => void,
): Promise<void> {
  try {
    await held.lease.room.applyServerEdit(edit, SHAPES_API_ORIGIN);
  } catch (error) {
    if (error instanceof ShapeMissing) return sendError(res, 404, 'no such shape');
    if (error instanceof PatchRefused) return sendInvalid(ctx, res, error.problem);
    if (error instanceof RoomWriteError)
      return sendError(res, 503, `the change was not stored: ${error.message}`, {
        'retry-after': '5',
      });
    throw error;
  }
  answer();
}

export function shapesRoutes(ctx: AppContext): Route[] {
  const { config } = ctx;
  const rates = new RequestRates(
    'shapes_api',
    config.shapesApiRatePerSecond,
    config.shapesApiBurst,
    ctx.metrics.refusals,
  );

  async function list({ req, res, params }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res, CORS_HEADERS)) return;
    const held = await holdBoard(ctx, res, params[0], {
      need: 'view',
      create: false,
      what: 'reading shapes',
      headers: CORS_HEADERS,
    });
    if (!held) return;
    try {
      sendJson(res, 200, { shapes: held.lease.room.readShapes() }, CORS_HEADERS);
    } finally {
      held.lease.release();
    }
  }

  async function add({ req, res, params }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res)) return;
    const held = await holdBoard(ctx, res, params[0], {
      need: 'edit',
      create: true,
      what: 'changing shapes',
    });
    if (!held) return;
    try {
      const body = await readJsonBody(ctx, req, res, config.shapesApiMaxBytes);
      if (!body.ok) return;
      const checked = checkShapesBody(body.value);
      if (!checked.ok) return sendInvalid(ctx, res, checked);
      const shapes = checked.value.map((input) => ({
        id: input.id ?? newShapeId(),
        ...input.fields,
      }));
      const ids = shapes.map((shape) => shape.id);
      await applyEdit(
        ctx,
        res,
        held,
        (doc) => addShapes(doc, shapes as Shape[]),
        () => {
          ctx.log.info({ shapes: ids.length }, 'shapes API: shapes added or replaced');
          const room = held.lease.room;
          sendJson(res, 200, { ids, shapes: ids.map((id) => room.readShape(id)) });
        },
      );
    } finally {
      held.lease.release();
    }
  }

  async function change({ req, res, params }: RouteRequest): Promise<void> {
    if (!withinRate(ctx, rates, req, res)) return;
    const held = await holdBoard(ctx, res, params[0], {
      need: 'edit',
      create: false,
      what: 'changing shapes',
    });
    if (!held) return;
    try {
      const edit = await editOf(req.method === 'PATCH', params[1] ?? '', { req, res });
      if (!edit) return;
      await applyEdit(ctx, res, held, edit.run, () => {
        ctx.log.info({ shape: params[1], method: req.method }, 'shapes API: shape changed');
        if (!edit.patch) return void res.writeHead(204, { 'cache-control': 'no-store' }).end();
        sendJson(res, 200, { shape: held.lease.room.readShape(params[1] ?? '') });
      });
    } finally {
      held.lease.release();
    }
  }

  /** The edit of a PATCH (its body checked alone first) or a DELETE; null once answered. */
  async function editOf(
    isPatch: boolean,
    shapeId: string,
    { req, res }: Pick<RouteRequest, 'req' | 'res'>,
  ): Promise<{ run: ServerEdit; patch: boolean } | null> {
    let patchBody: unknown = null;
    if (isPatch) {
      const body = await readJsonBody(ctx, req, res, config.shapesApiMaxBytes);
      if (!body.ok) return null;
      const alone = checkShapePatch(body.value, null, shapeId);
      if (!alone.ok) {
        sendInvalid(ctx, res, alone);
        return null;
      }
      patchBody = body.value;
    }
    const run: ServerEdit = (doc) => {
      const stored = readStoredFields(doc, shapeId);
      if (!stored) throw new ShapeMissing();
      if (!isPatch) return removeShapes(doc, [shapeId]);
      // Checked again against the shape as it is now, so the result is a valid shape.
      const patch = checkShapePatch(patchBody, stored, shapeId);
      if (!patch.ok) throw new PatchRefused(patch);
      patchShape(doc, shapeId, patch.value);
    };
    return { run, patch: isPatch };
  }

  return [
    {
      method: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      path: /^\/api\/boards\/([^/]+)\/shapes$/,
      handle(request) {
        if (request.req.method === 'OPTIONS') return sendPreflight(request.res);
        return request.req.method === 'POST' ? add(request) : list(request);
      },
    },
    {
      method: ['PATCH', 'DELETE'],
      path: /^\/api\/boards\/([^/]+)\/shapes\/([^/]+)$/,
      handle: change,
    },
  ];
}
