/**
 * A raw WebSocket peer for tests that must speak the protocol badly: it sends any bytes (or a
 * text frame), encodes well-formed sync and awareness frames, records every frame it receives,
 * and reports how it was closed. It never answers the server on its own.
 */
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket, type RawData } from 'ws';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null removes the client's presence. */
  state: Record<string, unknown> | null;
}

export interface RawPeerOptions {
  /**
   * Sends this request path verbatim instead of `/ws/<boardId>`, e.g. `/ws/..`, which a URL
   * parser would normalise away before it reached the server.
   */
  rawPath?: string;
}

export interface RawPeer {
  readonly ws: WebSocket;
  /** Every frame received, in order (binary frames as bytes). */
  readonly frames: Uint8Array[];
  /** Resolves when the upgrade completed; rejects if the socket closes first. */
  readonly opened: Promise<void>;
  /** Resolves with the first frame from the server (its sync step 1: the peer joined the room). */
  readonly joined: Promise<Uint8Array>;
  /** Resolves once the socket is closed, with the close code and reason. */
  readonly closed: Promise<CloseInfo>;
  readonly isOpen: boolean;
  send(data: Uint8Array | string): void;
  sendSyncStep1(stateVector: Uint8Array): void;
  sendSyncStep2(update: Uint8Array): void;
  sendUpdate(update: Uint8Array): void;
  sendAwareness(entries: readonly AwarenessEntry[]): void;
  /**
   * Writes bytes made by `encodeBurst` straight to the socket in one write: the server gets the
   * frames as fast as the network allows, and the test process spends no time on them while it
   * measures something else.
   */
  sendBurst(burst: Uint8Array): void;
  /** The awareness frames received so far, decoded. */
  awarenessUpdates(): AwarenessEntry[][];
  /** Cuts the connection without a close handshake. */
  terminate(): void;
}

export function encodeSyncFrame(step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_TYPE.SYNC);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** An awareness frame in y-protocols' wire format. */
export function encodeAwarenessFrame(entries: readonly AwarenessEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MESSAGE_TYPE.AWARENESS);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

/** The entries of an awareness frame, or null when `frame` is another message type. */
export function decodeAwarenessFrame(frame: Uint8Array): AwarenessEntry[] | null {
  const decoder = decoding.createDecoder(frame);
  if (decoding.readVarUint(decoder) !== MESSAGE_TYPE.AWARENESS) return null;
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const entries: AwarenessEntry[] = [];
  const count = decoding.readVarUint(update);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(update);
    const clock = decoding.readVarUint(update);
    entries.push({
      clientId,
      clock,
      state: JSON.parse(decoding.readVarString(update)) as AwarenessEntry['state'],
    });
  }
  return entries;
}

/** One final, masked, binary client frame carrying `payload` (RFC 6455 §5.2). */
export function encodeClientFrame(payload: Uint8Array): Uint8Array {
  const length = payload.byteLength;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + length);
  const view = new DataView(frame.buffer);
  frame[0] = 0x82; // FIN, opcode 2 (binary)
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  const maskAt = 2 + lengthBytes;
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, maskAt);
  for (let i = 0; i < length; i++)
    frame[maskAt + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

/** `messages` as consecutive binary client frames, ready for `RawPeer.sendBurst`. */
export function encodeBurst(messages: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(messages.map(encodeClientFrame));
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data);
}

/** Opens a raw peer on `${wsUrl}/${boardId}` (or on `options.rawPath`). */
export function connectRawPeer(
  wsUrl: string,
  boardId: string,
  options: RawPeerOptions = {},
): RawPeer {
  const { rawPath } = options;
  const finishRequest = rawPath
    ? (req: ClientRequest) => {
        req.path = rawPath; // read when the request head is written, i.e. on end()
        req.end();
      }
    : undefined;
  const ws = new WebSocket(`${wsUrl}/${boardId}`, { perMessageDeflate: false, finishRequest });
  const frames: Uint8Array[] = [];
  let onFirstFrame: (frame: Uint8Array) => void = () => {};
  const joined = new Promise<Uint8Array>((resolve) => (onFirstFrame = resolve));
  const closed = new Promise<CloseInfo>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    void closed.then(({ code }) => reject(new Error(`socket closed (${code}) before it opened`)));
  });
  opened.catch(() => {}); // callers that do not await it must not see an unhandled rejection
  // Errors (a refused upgrade, a write after the server cut us off) surface through `closed`.
  ws.on('error', () => {});
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = isBinary ? toBytes(data) : new TextEncoder().encode(data.toString());
    if (frames.length === 0) onFirstFrame(bytes);
    frames.push(bytes);
  });

  const send = (data: Uint8Array | string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: typeof data !== 'string' });
  };
  return {
    ws,
    frames,
    opened,
    joined,
    closed,
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send,
    sendSyncStep1: (stateVector) => send(encodeSyncFrame(SYNC_STEP.STEP1, stateVector)),
    sendSyncStep2: (update) => send(encodeSyncFrame(SYNC_STEP.STEP2, update)),
    sendUpdate: (update) => send(encodeSyncFrame(SYNC_STEP.UPDATE, update)),
    sendAwareness: (entries) => send(encodeAwarenessFrame(entries)),
    sendBurst: (burst) => {
      const socket = (ws as unknown as { _socket: Socket | null })._socket; // ws keeps it private
      if (ws.readyState === WebSocket.OPEN && socket) socket.write(burst);
    },
    awarenessUpdates: () =>
      frames
        .map(decodeAwarenessFrame)
        .filter((entries): entries is AwarenessEntry[] => entries !== null),
    terminate: () => ws.terminate(),
  };
}
