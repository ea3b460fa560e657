/**
 * `GET /api/boards/<id>`: the snapshot, `ETag: "<version>"`; `If-None-Match` with the current
 * version (quoted, bare or weak) → 304. `GET /api/boards/<id>.svg`: the board as an SVG image,
 * rendered once per version, with the same ETag rules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assetPath } from '../../../common/board/asset-format.ts';
import { renderBoardSvg } from '../../../common/render/svg-render.ts';
import type { Route } from '../../http/route.ts';
import { CORS_HEADERS } from './cors.ts';
import { sendEncoded } from './long-poll.ts';
import type { ViewerHub } from './viewer-hub.ts';

/** Caches may keep an answer but must ask again (cheaply, with If-None-Match) before reuse. */
const REVALIDATE = { 'cache-control': 'no-cache', ...CORS_HEADERS };
/** The image is data, never a document that may run anything. */
const SVG_HEADERS = {
  'content-type': 'image/svg+xml; charset=utf-8',
  // Images only from this server (the board's assets), when the file is opened by itself.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
};

/** Whether an If-None-Match header names `version` (or is `*`). */
export function matchesEtag(header: string | string[] | undefined, version: string): boolean {
  if (header === undefined) return false;
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',');
  return tags.some((raw) => {
    const tag = raw
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
    return tag === '*' || tag === version;
  });
}

function sendNotModified(req: IncomingMessage, res: ServerResponse, version: string): boolean {
  const etag = `"${version}"`;
  if (!matchesEtag(req.headers['if-none-match'], version)) return false;
  res.writeHead(304, { etag, ...REVALIDATE });
  res.end();
  return true;
}

export function snapshotRoute(hub: ViewerHub): Route {
  return {
    method: ['GET', 'HEAD'],
    path: /^\/api\/boards\/([^/]+)$/,
    async handle({ req, res, params }) {
      const board = await hub.open(res, params[0]);
      if (!board) return;
      try {
        const snapshot = board.feed.snapshot(board.requestedId);
        if (sendNotModified(req, res, snapshot.version)) return;
        sendEncoded(res, snapshot, { etag: `"${snapshot.version}"`, ...REVALIDATE });
      } finally {
        board.lease.release();
      }
    },
  };
}

export function svgRoute(hub: ViewerHub): Route {
  return {
    method: ['GET', 'HEAD'],
    path: /^\/api\/boards\/([^/]+)\.svg$/,
    async handle({ req, res, params }) {
      const board = await hub.open(res, params[0]);
      if (!board) return;
      try {
        const version = board.feed.version;
        if (sendNotModified(req, res, version)) return;
        const svg = board.feed.image(board.requestedId, (shapes, id) =>
          renderBoardSvg(shapes, { assetHref: (assetId) => assetPath(id, assetId) }),
        );
        const body = Buffer.from(svg);
        res.writeHead(200, {
          ...SVG_HEADERS,
          'content-length': body.byteLength,
          etag: `"${version}"`,
          ...REVALIDATE,
        });
        res.end(body);
      } finally {
        board.lease.release();
      }
    },
  };
}
