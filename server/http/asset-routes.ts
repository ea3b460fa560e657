/**
 * Board assets (contract: "Board assets"), the images an `image` shape draws:
 *   POST /api/boards/<editId>/assets          the raw bytes of a PNG, JPEG, GIF or WebP →
 *        `{ "assetId" }`, the lowercase hex SHA-256 of the bytes. The type is recognised from the
 *        bytes, whatever Content-Type says (415 otherwise); over MAX_ASSET_BYTES 413; a view id
 *        403; more than RATE_ASSET_UPLOADS_PER_MIN from one address 429. Uploading the same bytes
 *        again answers the same id and stores nothing new.
 *   GET  /api/boards/<id>/assets/<assetId>    (either id) the bytes with their type, cached for
 *        good (an asset id names its content, so it can never change), `nosniff`, any origin.
 * Assets are stored by the board's internal key, so resetting a link keeps them and deleting the
 * board removes them (board-store.ts).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sniffAssetType } from '../../common/board/asset-format.ts';
import { isValidBoardId } from '../../common/board/ids.ts';
import { ASSET_ID_PATTERN } from '../../common/board/shape.ts';
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import type { AppContext } from '../app-context.ts';
import { RequestRates } from '../limits/request-rates.ts';
import { BoardGoneError, type BoardAccess } from '../storage/board-store.ts';
import { CORS_HEADERS, sendPreflight } from '../transports/viewers/cors.ts';
import { readBody } from './read-body.ts';
import { sendError, sendJson } from './respond.ts';
import type { Route } from './route.ts';

const ASSET_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  // An image is never a document that may run anything, whatever a browser makes of it.
  'content-security-policy': "default-src 'none'",
  ...CORS_HEADERS,
};

export const UNSUPPORTED_ASSET_MESSAGE =
  'not a PNG, JPEG, GIF or WebP image (the type is read from the bytes)';

/**
 * The board by either id, or null once the error (400, 404) is answered. `create`: a valid name
 * that is no board yet becomes one (an upload by an edit id, as opening `/board/<name>` would).
 */
async function boardOf(
  ctx: AppContext,
  res: ServerResponse,
  id: string | undefined,
  { create = false, headers = {} }: { create?: boolean; headers?: Record<string, string> } = {},
): Promise<BoardAccess | null> {
  if (!isValidBoardId(id)) {
    sendError(res, 400, 'bad board id', headers);
    return null;
  }
  const access = await ctx.registry.resolve(id, create);
  if (access) return access;
  const gone = await ctx.store.isRetired(id);
  sendError(res, 404, gone ? GONE_MESSAGE : 'no such board', headers);
  return null;
}

export function assetRoutes(ctx: AppContext): Route[] {
  const { metrics, config } = ctx;
  const perMinute = config.rateAssetUploadsPerMinute;
  // Refused uploads are counted below, with the other asset refusals.
  const uploads = new RequestRates('asset_upload', perMinute / 60, perMinute, null);
  const refuse = (res: ServerResponse, status: number, reason: string, message: string) => {
    metrics.assetUploads.inc({ result: 'refused' });
    metrics.assetRefusals.inc({ reason });
    metrics.refusals.inc({ reason: `asset_${reason}` });
    ctx.log.debug({ status, reason }, 'image upload refused');
    // Unless the body was read whole (415), it was not: close rather than reuse the socket.
    sendError(res, status, message, status === 415 ? {} : { connection: 'close' });
  };

  return [
    {
      method: 'POST',
      path: /^\/api\/boards\/([^/]+)\/assets$/,
      async handle({ req, res, params }) {
        const access = await boardOf(ctx, res, params[0], { create: true });
        if (!access) return;
        if (access.role !== 'edit')
          return refuse(res, 403, 'read_only', 'uploading an image needs the edit id');
        const address = ctx.limits.clientAddress(req);
        if (!uploads.take(address)) {
          res.setHeader('retry-after', String(uploads.retryAfterSeconds));
          return refuse(
            res,
            429,
            'rate',
            'too many image uploads from this address; wait a little',
          );
        }
        const tooBig = `an image is at most ${config.maxAssetBytes} bytes (MAX_ASSET_BYTES)`;
        const body = await readBody(req, config.maxAssetBytes);
        if (!body) return refuse(res, 413, 'size', tooBig);
        const type = sniffAssetType(body);
        if (!type) return refuse(res, 415, 'type', UNSUPPORTED_ASSET_MESSAGE);
        const assetId = createHash('sha256').update(body).digest('hex');
        let stored: boolean;
        try {
          stored = await ctx.store.putAsset(access.board.key, { assetId, type, data: body });
        } catch (error) {
          if (error instanceof BoardGoneError) return sendError(res, 404, GONE_MESSAGE);
          throw error;
        }
        metrics.assetUploads.inc({ result: stored ? 'stored' : 'duplicate' });
        if (stored) metrics.assetBytes.inc(body.byteLength);
        ctx.log.info({ type, bytes: body.byteLength, stored }, 'image uploaded');
        sendJson(res, 200, { assetId });
      },
    },
    {
      method: ['GET', 'HEAD', 'OPTIONS'],
      path: /^\/api\/boards\/([^/]+)\/assets\/([^/]+)$/,
      async handle({ req, res, params }) {
        if (req.method === 'OPTIONS') return sendPreflight(res);
        const access = await boardOf(ctx, res, params[0], { headers: CORS_HEADERS });
        if (!access) return;
        const assetId = params[1] ?? '';
        if (!ASSET_ID_PATTERN.test(assetId))
          return sendError(res, 404, 'no such image (an asset id is 64 hex digits)', CORS_HEADERS);
        const asset = await ctx.store.getAsset(access.board.key, assetId);
        if (!asset) return sendError(res, 404, 'no such image on this board', CORS_HEADERS);
        metrics.assetReads.inc();
        const etag = `"${assetId}"`;
        if (req.headers['if-none-match']?.includes(assetId)) {
          res.writeHead(304, { etag, ...ASSET_HEADERS }).end();
          return;
        }
        res.writeHead(200, {
          'content-type': asset.type,
          'content-length': asset.data.byteLength,
          etag,
          ...ASSET_HEADERS,
        });
        res.end(req.method === 'HEAD' ? undefined : asset.data);
      },
    },
  ];
}
