/**
 * The WebSocket transport of one connection: it only turns socket events into calls on a
 * PeerSession (server/room/peer-session.ts) and the session's calls back into socket
 * operations. Binary frames are messages; a text frame is malformed (1007). Everything else
 * (rates, frames held while the board loads, tokens, the room) is the session's.
 */
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { CLOSE, type CloseCode } from '../../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../../common/protocol/message-types.ts';
import type { AuthGrant } from '../../auth/board-auth.ts';
import type { Metrics } from '../../metrics.ts';
import { PeerSession, type PeerSessionDeps, type PeerTransport } from '../../room/peer-session.ts';
import type { SharedFrame } from '../../room/shared-frame.ts';
import { rawSocketOf, writeShared } from './shared-write.ts';

/** WebSocket close reasons are limited to 123 bytes. */
const MAX_CLOSE_REASON_CHARS = 120;
/** A peer closed for reading too slowly gets this long to take the close frame, then is cut. */
const SLOW_PEER_CLOSE_GRACE_MS = 1_000;

export interface ConnectionDeps extends PeerSessionDeps {
  /** Past this many unsent bytes a peer is closed with 1013: it resyncs when it reconnects. */
  maxBufferedBytes: number;
  /** Past this many unsent bytes a peer gets no presence (it is sent the whole presence later). */
  presenceBufferBytes: number;
  nextPeerId(): number;
}

/** Socket operations as the session sees them; backpressure decides what is sent. */
export class WsTransport implements PeerTransport {
  readonly name = 'websocket';
  /** Where broadcast frames, framed once, are written (null: through `ws.send`). */
  private readonly raw: Duplex | null;
  /**
   * Bytes of sync step 2 (the whole board, to a joiner or a resync) that may still be queued.
   * They do not count against maxBufferedBytes: a board bigger than the bound (100,000 shapes
   * are ~38 MB) could otherwise never be joined over a link slower than its edits, as every
   * update relayed while the state drains would close the joiner (1013), again on every
   * reconnect. The bound holds for everything else sent. Shrunk to the queue at each send: the
   * unsent part of an earlier step 2 is never more than what is queued now.
   */
  private syncAllowance = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: { maxBufferedBytes: number; presenceBufferBytes: number },
    private readonly metrics: Metrics,
  ) {
    this.raw = rawSocketOf(ws);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    if (!this.mayWrite()) return;
    // One state's worth at most: a client asking again and again is not exempted again.
    if (isSyncStep2(frame)) this.syncAllowance = Math.max(this.syncAllowance, frame.byteLength);
    this.ws.send(frame);
  }

  /** The same framed bytes for every peer of the broadcast (shared-write.ts). */
  sendShared(frame: SharedFrame): void {
    if (this.mayWrite()) writeShared(this.ws, this.raw, frame);
  }

  sendPresence(frame: SharedFrame): boolean {
    if (!this.isOpen) return true;
    if (this.ws.bufferedAmount > this.limits.presenceBufferBytes) {
      this.metrics.presenceSkipped.inc();
      return false;
    }
    this.sendShared(frame);
    return true;
  }

  /** False when closing, or when the peer is too far behind: then it is closed (1013). */
  private mayWrite(): boolean {
    if (!this.isOpen) return false;
    const queued = this.ws.bufferedAmount;
    this.syncAllowance = Math.min(this.syncAllowance, queued);
    if (queued <= this.limits.maxBufferedBytes + this.syncAllowance) return true;
    this.metrics.refusals.inc({ reason: 'slow_reader' });
    this.close(CLOSE.TRY_AGAIN_LATER, 'reading too slowly');
    // It is not reading, so it will not read the close frame either: cut it, freeing its buffer.
    setTimeout(() => this.ws.terminate(), SLOW_PEER_CLOSE_GRACE_MS).unref();
    return false;
  }

  close(close: CloseCode, detail?: string): void {
    closeSocket(this.ws, close, detail);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}

export function closeSocket(ws: WebSocket, close: CloseCode, detail?: string): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  const reason = detail ? `${close.reason}: ${detail}` : close.reason;
  ws.close(close.code, reason.slice(0, MAX_CLOSE_REASON_CHARS));
  ws.resume(); // a socket paused by the rate limit must still read the peer's closing handshake
}

/** Serves one upgraded connection for board id `id` (decoded); `grant`: JWT mode's, or null. */
export type ServeConnection = (
  ws: WebSocket,
  id: string,
  remote: string,
  grant?: AuthGrant | null,
) => void;

/**
 * What serves every connection of one endpoint. Every socket shares the same three listeners
 * (`this` is the socket, and its session is looked up) rather than getting closures of its own:
 * thousands of connections sit idle, and each closure and its context cost bytes per socket.
 */
export function connectionServer(deps: ConnectionDeps): ServeConnection {
  const sessions = new WeakMap<WebSocket, PeerSession>();
  function onError(this: WebSocket, error: Error & { code?: string }): void {
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'socket_error';
    deps.metrics.refusals.inc({ reason });
    const remote = sessions.get(this)?.remote;
    deps.log.warn({ remote, err: error.message, code: error.code }, 'socket error');
  }
  function onClose(this: WebSocket, code: number): void {
    sessions.get(this)?.end(code);
  }
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const session = sessions.get(this);
    if (!session || this.readyState !== WebSocket.OPEN) return;
    if (!isBinary)
      return session.refuse(
        CLOSE.MALFORMED,
        'text frames are not part of the protocol',
        'malformed',
      );
    session.receive(toBytes(data));
  }
  return (ws, id, remote, grant = null) => {
    const transport = new WsTransport(ws, deps, deps.metrics);
    const session = new PeerSession(deps, transport, { id: deps.nextPeerId(), remote, grant });
    sessions.set(ws, session);
    ws.on('error', onError);
    ws.on('close', onClose);
    ws.on('message', onMessage);
    session.open(id);
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Whether `frame` is a sync step 2 message (message-types.ts: sync 0, step 2 = 1). */
function isSyncStep2(frame: Uint8Array): boolean {
  return frame[0] === MESSAGE_TYPE.SYNC && frame[1] === SYNC_STEP.STEP2;
}
