/** Operations: `/healthz` (200 `ok` while serving, 503 while shutting down) and `/metrics`. */
import type { AppContext } from '../app-context.ts';
import { sendText } from './respond.ts';
import type { Route } from './route.ts';

export function opsRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: ['GET', 'HEAD'],
      path: /^\/healthz$/,
      handle({ res }) {
        if (ctx.isShuttingDown()) return sendText(res, 503, 'shutting down');
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
  ];
}
