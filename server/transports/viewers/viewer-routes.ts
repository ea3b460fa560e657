/**
 * The read-only viewer routes (contract: "Snapshots and the viewer transports"), each open to
 * any origin with its OPTIONS preflight: SVG and PNG images, poll, long poll and SSE. The image
 * routes come first, so `/api/boards/<id>.svg` (`.png`) is the image and any other dotted id a 400 from the poll.
 */
import type { AppContext } from '../../app-context.ts';
import type { HttpMethod, Route } from '../../http/route.ts';
import { sendPreflight } from './cors.ts';
import { createPngRenderer } from '../../render/png-renderer.ts';
import { longPollRoute } from './long-poll.ts';
import { pngRoute } from './png-route.ts';
import { snapshotRoute, svgRoute } from './snapshot-route.ts';
import { sseRoute } from './sse-route.ts';
import { ViewerHub } from './viewer-hub.ts';
import { viewerOptions, type ViewerOptions } from './viewer-options.ts';

function withPreflight(route: Route): Route {
  const methods: readonly HttpMethod[] =
    typeof route.method === 'string' ? [route.method] : route.method;
  return {
    method: [...methods, 'OPTIONS'],
    path: route.path,
    handle(request) {
      if (request.req.method === 'OPTIONS') return sendPreflight(request.res);
      return route.handle(request);
    },
  };
}

/** Thumbnails waiting for the renderer before more are refused (503), and the longest render. */
const PNG_QUEUE = 16;
const PNG_TIMEOUT_MS = 30_000;

/** `overrides` exist for tests (short timeouts); the server uses the defaults. */
export function viewerRoutes(ctx: AppContext, overrides: Partial<ViewerOptions> = {}): Route[] {
  const hub = new ViewerHub(ctx, viewerOptions(overrides));
  const renderer = createPngRenderer({ maxQueued: PNG_QUEUE, timeoutMs: PNG_TIMEOUT_MS });
  ctx.onShutdown(() => renderer.close());
  return [
    svgRoute(hub),
    pngRoute(hub, ctx, renderer),
    snapshotRoute(hub),
    longPollRoute(hub),
    sseRoute(hub),
  ].map(withPreflight);
}
