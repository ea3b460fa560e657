/**
 * `GET /api/boards/<id>.png?width=<px>`: the board's SVG (the same as `.svg`) as a PNG, for link
 * previews (`og:image`) and thumbnails. Same access, CORS and ETag rules as the SVG. The width is
 * clamped to MIN_WIDTH..MAX_WIDTH (default DEFAULT_WIDTH); the height follows the board's shape,
 * at most MAX_HEIGHT (a very tall board is fitted to that height, so it comes out narrower).
 * Rendering happens in a worker thread (server/render/png-renderer.ts); finished images are
 * kept per board, version and width in a cache bounded in bytes, and two requests for the same
 * image wait for one render.
 */
import type { ServerResponse } from 'node:http';
import { Counter, Histogram } from 'prom-client';
import { renderBoardSvg } from '../../../common/render/svg-render.ts';
import type { AppContext } from '../../app-context.ts';
import { sendError } from '../../http/respond.ts';
import type { Route } from '../../http/route.ts';
import { BusyError, type Fit, type PngRenderer } from '../../render/png-renderer.ts';
import { CORS_HEADERS } from './cors.ts';
import { matchesEtag } from './snapshot-route.ts';
import type { ViewerHub } from './viewer-hub.ts';

export const MIN_WIDTH = 16;
export const MAX_WIDTH = 2048;
export const DEFAULT_WIDTH = 800;
export const MAX_HEIGHT = 4096;
/** Bytes of finished PNGs kept (least recently used dropped first). */
export const THUMBNAIL_CACHE_BYTES = 32 * 1_048_576;

const PNG_HEADERS = {
  'content-type': 'image/png',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
  ...CORS_HEADERS,
};

/** The feed's cache key of the thumbnail's SVG ('#' is in no board id): one without asset links. */
const THUMBNAIL_SVG_KEY = '#thumbnail';

type Outcome = 'rendered' | 'cached' | 'not_modified' | 'bad_request' | 'busy' | 'failed';

/** The requested width, clamped; null when it is not a whole number. */
export function thumbnailWidth(raw: string | null): number | null {
  if (raw === null || raw === '') return DEFAULT_WIDTH;
  if (!/^\d{1,9}$/.test(raw)) return null;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Number(raw)));
}

/** Fit to `width` unless that makes the image taller than MAX_HEIGHT (the SVG's viewBox says). */
export function fitFor(svg: string, width: number): Fit {
  const box = /viewBox="(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+)"/.exec(svg);
  const [w, h] = [Number(box?.[3] ?? 1), Number(box?.[4] ?? 1)];
  return w > 0 && (width * h) / w > MAX_HEIGHT
    ? { mode: 'height', value: MAX_HEIGHT }
    : { mode: 'width', value: width };
}

/** Finished PNGs by key, least recently used first, bounded in total bytes. */
class ImageCache {
  private readonly images = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): Buffer | undefined {
    const image = this.images.get(key);
    if (image) {
      this.images.delete(key);
      this.images.set(key, image);
    }
    return image;
  }

  set(key: string, image: Buffer): void {
    if (image.byteLength > this.maxBytes) return;
    this.images.set(key, image);
    this.bytes += image.byteLength;
    for (const [oldKey, old] of this.images) {
      if (this.bytes <= this.maxBytes) break;
      this.images.delete(oldKey);
      this.bytes -= old.byteLength;
    }
  }
}

export function pngRoute(hub: ViewerHub, ctx: AppContext, renderer: PngRenderer): Route {
  const registers = [ctx.metrics.registry];
  const requests = new Counter({
    name: 'boardcast_thumbnails_total',
    help: 'PNG thumbnail requests by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const renderSeconds = new Histogram({
    name: 'boardcast_thumbnail_render_seconds',
    help: 'Time to render one PNG thumbnail (in the worker, queueing included)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const cache = new ImageCache(THUMBNAIL_CACHE_BYTES);
  const inFlight = new Map<string, Promise<Buffer>>();
  const count = (outcome: Outcome) => requests.inc({ outcome });

  const renderOnce = (key: string, svg: () => string, width: number): Promise<Buffer> => {
    let pending = inFlight.get(key);
    if (!pending) {
      const started = performance.now();
      const image = svg();
      pending = renderer
        .render(image, fitFor(image, width))
        .then((png) => {
          renderSeconds.observe((performance.now() - started) / 1000);
          cache.set(key, png);
          return png;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  const send = (res: ServerResponse, png: Buffer, etag: string) => {
    res.writeHead(200, { ...PNG_HEADERS, 'content-length': png.byteLength, etag });
    res.end(png);
  };

  return {
    method: ['GET', 'HEAD'],
    path: /^\/api\/boards\/([^/]+)\.png$/,
    async handle({ req, res, params, url }) {
      const width = thumbnailWidth(url.searchParams.get('width'));
      if (width === null) {
        count('bad_request');
        return sendError(res, 400, 'width must be a whole number of pixels', CORS_HEADERS);
      }
      const board = await hub.open(res, params[0]);
      if (!board) return;
      try {
        const version = board.feed.version;
        const etag = `"${version}-w${width}"`;
        if (matchesEtag(req.headers['if-none-match'], `${version}-w${width}`)) {
          count('not_modified');
          res.writeHead(304, { ...PNG_HEADERS, etag });
          res.end();
          return;
        }
        const key = `${board.lease.room.key}|${version}|${width}`;
        const cached = cache.get(key);
        if (cached) {
          count('cached');
          return send(res, cached, etag);
        }
        // The SVG is built while the board is held; the board is let go while the worker rasterises.
        // Images are drawn as frames here: the rasteriser fetches nothing (THUMBNAIL_SVG_KEY).
        const svg = () => board.feed.image(THUMBNAIL_SVG_KEY, (shapes) => renderBoardSvg(shapes));
        const pending = renderOnce(key, svg, width);
        board.lease.release();
        const png = await pending;
        count('rendered');
        return send(res, png, etag);
      } catch (error) {
        if (error instanceof BusyError) {
          count('busy');
          return sendError(res, 503, 'busy rendering thumbnails, try again', {
            ...CORS_HEADERS,
            'retry-after': '1',
          });
        }
        count('failed');
        ctx.log.warn({ err: (error as Error).message }, 'thumbnail render failed');
        return sendError(res, 500, 'the thumbnail could not be rendered', CORS_HEADERS);
      } finally {
        board.lease.release(); // releasing twice is harmless
      }
    },
  };
}
