/**
 * Scale-out: passes a request for an HTTP session held by another instance on to it, streamed
 * both ways (an SSE stream stays a stream). The forwarded request is marked, so it is never
 * forwarded again (no loops when two instances disagree).
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const FORWARDED_HEADER = 'x-boardcast-forwarded';

export function isForwarded(req: IncomingMessage): boolean {
  return req.headers[FORWARDED_HEADER] !== undefined;
}

/** Resolves false when the owner could not be reached (nothing was answered yet). */
export function forwardTo(
  owner: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const target = new URL(req.url ?? '/', owner);
  return new Promise((resolve) => {
    const upstream = http.request(
      target,
      {
        method: req.method,
        headers: { ...req.headers, [FORWARDED_HEADER]: '1', host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        resolve(true);
      },
    );
    upstream.on('error', () => resolve(false));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}
