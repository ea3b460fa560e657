/**
 * Tokens and raw WebSocket helpers for the JWT-mode and abuse-limit tests.
 */
import net from 'node:net';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addShapes, getShapesMap } from '../../common/board/board-doc.ts';
import { secretKey, signToken, type BoardClaims } from '../../server/auth/tokens.ts';
import { encodeSyncUpdate } from '../../server/room/sync-frames.ts';
import { rect } from './shapes.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256';
export const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256';

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1_000);
}

/** A token signed with `secret`; `ttlSeconds` may be negative (already expired). */
export function mint(
  board: string,
  role: BoardClaims['role'],
  ttlSeconds = 600,
  secret = TEST_SECRET,
): Promise<string> {
  return signToken(secretKey(secret), { board, role, exp: nowSeconds() + ttlSeconds });
}

export interface RawSocket {
  ws: WebSocket;
  /** Resolves with the close code. */
  closed: Promise<number>;
  messages: Uint8Array[];
}

/** Opens a `ws` client and waits for the server's first frame (the board is loaded). */
export function openRawSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const ws = new WebSocket(url, { headers });
  const messages: Uint8Array[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      messages.push(new Uint8Array(data));
      if (messages.length === 1) resolve({ ws, closed, messages });
    });
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade answered ${res.statusCode}`)),
    );
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

/**
 * A WebSocket client on a bare TCP socket, for floods: frames are built beforehand and written
 * in one go, so the test's own client costs nothing while the server works.
 */
export interface BareSocket {
  socket: net.Socket;
  /** Resolves with the code of the server's close frame (0 if the socket ended without one). */
  closeCode: Promise<number>;
}

export function openBareSocket(port: number, path: string): Promise<BareSocket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  let buffered = Buffer.alloc(0);
  let upgraded = false;
  let settleClose: (code: number) => void = () => {};
  const closeCode = new Promise<number>((resolve) => (settleClose = resolve));
  socket.on('close', () => settleClose(0));
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffered.subarray(0, 12).toString().includes('101'))
          return reject(new Error(buffered.toString()));
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        resolve({ socket, closeCode });
      }
      for (let frame = readServerFrame(buffered); frame; frame = readServerFrame(buffered)) {
        buffered = buffered.subarray(frame.size);
        if (frame.opcode === 8) settleClose(frame.payload.readUInt16BE(0));
      }
    });
  });
}

function readServerFrame(bytes: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (bytes.length < 2) return null;
  const opcode = (bytes[0] ?? 0) & 0x0f;
  let length = (bytes[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  if (bytes.length < offset + length) return null;
  return { opcode, payload: bytes.subarray(offset, offset + length), size: offset + length };
}

/** One binary client frame (masked, as clients must; a zero mask leaves the bytes as they are). */
export function clientFrame(payload: Uint8Array): Buffer {
  const header =
    payload.length < 126
      ? Buffer.from([0x82, 0x80 | payload.length])
      : payload.length < 65_536
        ? Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([
            Buffer.from([0x82, 0x80 | 127]),
            Buffer.from(new BigUint64Array([BigInt(payload.length)]).buffer).reverse(),
          ]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/**
 * `count` small sync update frames from one Yjs client: the first adds a shape, each other one
 * moves it (about 30 bytes a frame), so a flood of a thousand arrives in one socket read.
 */
export function moveUpdateFrames(id: string, count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const frames: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => frames.push(encodeSyncUpdate(update)));
  addShapes(doc, [rect(id)]);
  const shape = getShapesMap(doc).get(id) as Y.Map<unknown>;
  for (let i = 1; i < count; i++) shape.set('x', i);
  doc.destroy();
  return frames;
}

/** `count` sync update frames from one Yjs client, each adding one valid shape. */
export function shapeUpdateFrames(prefix: string, count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const frames: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => frames.push(encodeSyncUpdate(update)));
  for (let i = 0; i < count; i++) addShapes(doc, [rect(`${prefix}-${i}`)]);
  doc.destroy();
  return frames;
}
