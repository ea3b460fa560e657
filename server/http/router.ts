/**
 * Dispatches a request to the first route whose method and path match. Path parameters are
 * URL-decoded; one that does not decode is a 400. Unknown paths are 404, known paths with another
 * method 405, and a handler that throws is a 500 for that request only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteGuard } from '../auth/http-guard.ts';
import type { Logger } from '../log.ts';
import { sendError } from './respond.ts';
import type { HttpMethod, Route } from './route.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function methodsOf(route: Route): readonly HttpMethod[] {
  return typeof route.method === 'string' ? [route.method] : route.method;
}

/** `guard` (JWT mode, origins) runs before every matched route; it answers refused requests itself. */
export function createRouter(
  routes: readonly Route[],
  log: Logger,
  guard: RouteGuard | null = null,
): RequestHandler {
  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, 400, 'bad request URL');
    }
    let pathMatched = false;
    for (const route of routes) {
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (!methodsOf(route).includes(req.method as HttpMethod)) continue;
      let params: string[];
      try {
        params = match.slice(1).map((param) => decodeURIComponent(param ?? ''));
      } catch {
        return sendError(res, 400, 'bad path encoding');
      }
      const request = { req, res, url, params };
      Promise.resolve(guard ? guard(request) : true)
        .then((allowed) => (allowed ? route.handle(request) : undefined))
        .catch((error: unknown) => {
          log.error({ err: error, path: url.pathname }, 'request failed');
          sendError(res, 500, 'internal error');
        });
      return;
    }
    sendError(res, pathMatched ? 405 : 404, pathMatched ? 'method not allowed' : 'not found');
  };
}
