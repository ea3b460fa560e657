/**
 * A route is a method, a path pattern and a handler; the router (router.ts) tries them in order.
 * Route modules export a factory taking the AppContext, so nothing is set on modules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The pattern's capture groups, decoded. */
  params: string[];
}

export interface Route {
  method: HttpMethod | readonly HttpMethod[];
  path: RegExp;
  handle(request: RouteRequest): void | Promise<void>;
}
