/**
 * Tokens and raw WebSocket helpers for the JWT-mode and abuse-limit tests.
 */
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addShapes } from '../../common/board/board-doc.ts';
import { secretKey, signToken, type BoardClaims } from '../../server/auth/tokens.ts';
import { encodeSyncUpdate } from '../../server/sync/sync-frames.ts';
import { rect } from './shapes.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256';
export const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256';

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1_000);
}

/** A token signed with `secret`; `ttlSeconds` may be negative (already expired). */
export function mint(board: string, role: BoardClaims['role'], ttlSeconds = 600, secret = TEST_SECRET): Promise<string> {
  return signToken(secretKey(secret), { board, role, exp: nowSeconds() + ttlSeconds });
}

export interface RawSocket {
  ws: WebSocket;
  /** Resolves with the close code. */
  closed: Promise<number>;
  messages: Uint8Array[];
}

/** Opens a `ws` client and waits for the server's first frame (the board is loaded). */
export function openRawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(url, { headers });
  const messages: Uint8Array[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      messages.push(new Uint8Array(data));
      if (messages.length === 1) resolve({ ws, closed, messages });
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The HTTP status an upgrade gets: 101 when it opens, else the refusal's status. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', reject);
  });
}

/** A sync update frame adding one valid shape (a fresh Yjs client each time). */
export function shapeUpdateFrame(id: string): Uint8Array {
  const doc = new Y.Doc();
  addShapes(doc, [rect(id)]);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return encodeSyncUpdate(update);
}

/** Reads one Prometheus sample (first match) from /metrics text; 0 when absent. */
export function metricValue(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
