/**
 * Real clients for tests: the stock y-websocket provider over `ws`, and small waiting helpers.
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface StockClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves once the first sync with the server completed. */
  synced: Promise<void>;
  destroy(): void;
}

/** The stock y-websocket client, exactly as an editor uses it (no reconnect in tests). */
export function connectStockClient(wsUrl: string, boardId: string, doc = new Y.Doc()): StockClient {
  const provider = new WebsocketProvider(wsUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, // ws is API-compatible; its types differ
    disableBc: true,
    maxBackoffTime: 200,
  });
  return stockClientOf(provider, doc);
}

/** A provider and its document as a test client: `synced` once the first sync completed. */
export function stockClientOf(provider: WebsocketProvider, doc: Y.Doc): StockClient {
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', (isSynced: boolean) => isSynced && resolve());
  });
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
