/**
 * `GET /api/boards/<id>/events`: the board as a Server-Sent Events stream. First the `retry:`
 * hint, then a `snapshot` event (or, resuming with `Last-Event-ID`, one merged `patch` of what
 * was missed, or nothing when nothing was), then a `patch` per published version, each with
 * `id: <version>`. `?lastEventId=` stands in for the header where a client cannot set it.
 */
import type { IncomingMessage } from 'node:http';
import { endStreamOnTokenExpiry } from '../../auth/request-token.ts';
import type { Route } from '../../http/route.ts';
import { CORS_HEADERS } from './cors.ts';
import { SseStream } from './sse-stream.ts';
import type { ViewerHub } from './viewer-hub.ts';

/** Versions are short; anything longer is not one of ours. */
const MAX_EVENT_ID_LENGTH = 128;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx and similar proxies not to hold events back in a buffer.
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  ...CORS_HEADERS,
};

function lastEventId(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['last-event-id'];
  const value =
    (typeof header === 'string' && header !== '' ? header : null) ??
    url.searchParams.get('lastEventId');
  return value && value.length <= MAX_EVENT_ID_LENGTH ? value : null;
}

export function sseRoute(hub: ViewerHub): Route {
  return {
    method: 'GET',
    path: /^\/api\/boards\/([^/]+)\/events$/,
    async handle({ req, res, url, params }) {
      if (!hub.takeAddressSlot('sse', req, res)) return;
      const board = await hub.open(res, params[0]);
      if (!board || !hub.stillOpen(res, board)) return;
      const { lease, feed, requestedId } = board;
      if (res.closed || res.destroyed) return lease.release();
      if (feed.count('stream') >= hub.options.maxStreamsPerBoard) {
        lease.release();
        return void hub.refuse(res, 503, 'too many viewers on this board', { 'retry-after': '5' });
      }
      res.writeHead(200, STREAM_HEADERS);
      const connections = hub.ctx.metrics.connections;
      const stream = new SseStream(res, {
        feed,
        requestedId,
        options: hub.options,
        metrics: hub.metrics,
        onEnd: () => {
          hub.streams.delete(stream);
          connections.dec({ transport: 'sse' });
          lease.release();
        },
      });
      hub.streams.add(stream);
      connections.inc({ transport: 'sse' });
      stream.start(lastEventId(req, url));
      // JWT mode: the stream ends with `event: expired` when its token does; the viewer
      // reconnects with a fresh token and Last-Event-ID, missing nothing.
      endStreamOnTokenExpiry(req, res);
    },
  };
}
