/**
 * Operations: `/healthz` (200 `ok` while serving, 503 while shutting down), `/metrics`, and
 * `/api/admin/connections` (who is connected to each board loaded on this instance, for
 * `npm run boards -- list`; boards by a digest of their key, never by an id: board-digest.ts;
 * in JWT mode it needs a token for `*`, like any `/api/` route that names no board).
 * Scale-out: while PostgreSQL or Redis is down, `/healthz` stays 200 with a body naming it
 * (`degraded: postgres down`): the instance still serves what it can, and a load balancer must
 * not pull every instance at once when a shared service blips (docs/scaling.md).
 */
import type { AppContext } from '../app-context.ts';
import { boardDigest, type BoardConnections } from '../ops/board-digest.ts';
import { sendJson, sendText } from './respond.ts';
import type { Route } from './route.ts';

export function opsRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: ['GET', 'HEAD'],
      path: /^\/healthz$/,
      handle({ res }) {
        if (ctx.isShuttingDown()) return sendText(res, 503, 'shutting down');
        const down = ctx.degraded?.() ?? [];
        if (down.length > 0) return sendText(res, 200, `degraded: ${down.join(', ')} down`);
        sendText(res, 200, 'ok');
      },
    },
    {
      method: 'GET',
      path: /^\/metrics$/,
      async handle({ res }) {
        const body = await ctx.metrics.registry.metrics();
        sendText(res, 200, body, { 'content-type': ctx.metrics.registry.contentType });
      },
    },
    {
      method: 'GET',
      path: /^\/api\/admin\/connections$/,
      async handle({ res }) {
        const boards: BoardConnections[] = (await ctx.registry.loadedRooms()).map((room) => {
          const roles = room.peerRoles();
          const editors = roles.filter((role) => role === 'edit').length;
          return {
            board: boardDigest(room.key),
            editors,
            readers: roles.length - editors,
            viewers: Math.max(0, room.holderCount - roles.length),
          };
        });
        sendJson(res, 200, { boards });
      },
    },
  ];
}
