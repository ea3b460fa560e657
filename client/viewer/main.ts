/**
 * The embed-only viewer page (`/view/<viewId>`): draws a board read-only with the editor's own
 * Konva drawing, follows it live over SSE (long polling as the fallback) and lets the person
 * pan and zoom locally. No Yjs here: the page speaks only snapshots and patches.
 */
import { assetPath } from '../../common/board/asset-format.ts';
import { AssetImages } from '../render/asset-images.ts';
import { TokenSession } from '../auth/token-session.ts';
import { feedUrlsFor } from './feed-urls.ts';
import { FeedConnection, type TransportName } from './feed-connection.ts';
import { LiveIndicator } from './live-indicator.ts';
import { ThemeSetting } from '../render/theme.ts';
import { installViewerHooks } from './viewer-hooks.ts';
import { ViewerCanvas } from './viewer-canvas.ts';
import { attachViewerInput } from './viewer-input.ts';

/** How often the dot checks whether drawing lags behind what arrived. */
const LAG_CHECK_MS = 500;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`viewer.html lacks #${id}`);
  return found as T;
}

function start(): void {
  // The viewer has no menu: it follows the system's light or dark (an embed matches its host).
  const theme = new ThemeSetting(null);
  const indicator = new LiveIndicator(element('live-dot'), element('live-label'));
  // JWT mode: the page's token, refreshed from the token URL before it expires.
  const session = TokenSession.fromPage();
  session.start();
  const urls = feedUrlsFor(window.location, session);
  if (!urls) return indicator.setStatus('not-found');
  const container = element<HTMLDivElement>('canvas');
  const canvas = new ViewerCanvas(container);
  canvas.showImages(
    new AssetImages((assetId) => session.withToken(assetPath(urls.boardId, assetId))),
  );
  theme.onChange((resolved) => canvas.setTheme(resolved));
  attachViewerInput(container, canvas, {
    zoomIn: element('zoom-in'),
    zoomOut: element('zoom-out'),
    fit: element('fit'),
  });
  const preferred: TransportName =
    new URLSearchParams(window.location.search).get('transport') === 'longpoll'
      ? 'longpoll'
      : 'sse';
  const connection = new FeedConnection(
    urls,
    {
      replace: (shapes) => canvas.replace(shapes),
      patch: (upsert, remove) => canvas.patch(upsert, remove),
      status: (status) => indicator.setStatus(status),
    },
    preferred,
  );
  setInterval(() => indicator.setDrawLag(canvas.drawLagMs()), LAG_CHECK_MS);
  installViewerHooks({ canvas, connection, indicator });
  connection.start();
}

start();
