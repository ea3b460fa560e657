/**
 * A read-only window into the viewer for browser tests and for debugging an embed from the
 * console: `window.__boardcastViewer`. It exposes state, never a way to change the board.
 */
import type { Shape } from '../../common/board/shape.ts';
import type { FeedConnection, TransportName } from './feed-connection.ts';
import type { IndicatorState, LiveIndicator } from './live-indicator.ts';
import type { ViewerCanvas } from './viewer-canvas.ts';

export interface ViewerHooks {
  /** The shapes drawn, in paint order. */
  drawnShapes(): Shape[];
  /** The version drawn (or about to be). */
  version(): string | null;
  state(): IndicatorState;
  transport(): TransportName;
  zoom(): number;
  /** The colour drawn at a point of the canvas (CSS pixels), `[r, g, b, a]`. */
  colourAt(x: number, y: number): number[];
}

declare global {
  interface Window {
    __boardcastViewer?: ViewerHooks;
  }
}

export function installViewerHooks(parts: {
  canvas: ViewerCanvas;
  connection: FeedConnection;
  indicator: LiveIndicator;
}): void {
  const { canvas, connection, indicator } = parts;
  window.__boardcastViewer = {
    drawnShapes: () => canvas.drawnShapes(),
    version: () => connection.board.version,
    state: () => indicator.state,
    transport: () => connection.transportName,
    zoom: () => canvas.transform.zoom,
    colourAt: (x, y) => canvas.colourAt(x, y),
  };
}
