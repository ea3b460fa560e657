/**
 * One WebSocket connection, from upgrade to close: resolve the id, hold frames while the board
 * loads, join the room, then handle each frame in order. Any bad frame closes this peer alone
 * with a documented code (common/protocol/close-codes.ts); nobody else notices.
 *
 * Frames (PROTOCOL.md): sync step 1 → answered with step 2; sync step 2 / update → the update
 * gate, then the room's commit queue (ignored on a read-only connection); awareness → decoded,
 * then applied for the client ids this connection introduced; query awareness → every state.
 */
import * as decoding from 'lib0/decoding';
import { WebSocket, type RawData } from 'ws';
import { isValidBoardId } from '../../common/board/ids.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';
import type { RoomLease, RoomRegistry } from '../rooms/room-registry.ts';
import type { Role } from '../storage/board-store.ts';
import { decodeAwarenessUpdate } from './awareness-decode.ts';
import { checkUpdate } from './update-gate.ts';

/** An empty Yjs update (no structs, no deletions): what a fresh client sends as sync step 2. */
const EMPTY_UPDATE_BYTES = 2;
/** WebSocket close reasons are limited to 123 bytes. */
const MAX_CLOSE_REASON_CHARS = 120;

export interface ConnectionDeps {
  registry: RoomRegistry;
  log: Logger;
  metrics: Metrics;
  maxPendingFrames: number;
  /** Past this many unsent bytes a peer is closed with 1013: it resyncs when it reconnects. */
  maxBufferedBytes: number;
  nextPeerId(): number;
}

class WsPeer implements Peer {
  constructor(
    readonly id: number,
    readonly role: Role,
    private readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  send(frame: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE.TRY_AGAIN_LATER, 'reading too slowly');
      return;
    }
    this.ws.send(frame);
  }

  close(close: CloseCode, detail?: string): void {
    closeSocket(this.ws, close, detail);
  }
}

export function closeSocket(ws: WebSocket, close: CloseCode, detail?: string): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  const reason = detail ? `${close.reason}: ${detail}` : close.reason;
  ws.close(close.code, reason.slice(0, MAX_CLOSE_REASON_CHARS));
}

/** Serves `ws`, an upgraded connection for board id `id` (still URL-encoded as received). */
export function serveConnection(ws: WebSocket, id: string, remote: string, deps: ConnectionDeps): void {
  const peerId = deps.nextPeerId();
  const log = deps.log.child({ peer: peerId, remote });
  const held: RawData[] = [];
  let session: { peer: WsPeer; room: Room; lease: RoomLease } | null = null;
  let closed = false;

  const refuse = (close: CloseCode, detail: string, reason: string) => {
    deps.metrics.refusals.inc({ reason });
    log.warn({ code: close.code, reason: detail }, 'connection refused');
    closeSocket(ws, close, detail);
  };

  ws.on('error', (error: Error & { code?: string }) => {
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'socket_error';
    deps.metrics.refusals.inc({ reason });
    log.warn({ err: error.message, code: error.code }, 'socket error');
  });
  ws.on('close', (code: number) => {
    closed = true;
    deps.metrics.connections.dec({ transport: 'websocket' });
    log.info({ code }, 'disconnected');
    if (session) {
      session.room.leave(session.peer);
      session.lease.release();
    }
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) return refuse(CLOSE.MALFORMED, 'text frames are not part of the protocol', 'malformed');
    if (session) return handleFrame(session, data);
    if (held.length >= deps.maxPendingFrames) return refuse(CLOSE.OVER_LIMIT, 'too many frames before sync', 'pending_frames');
    held.push(data);
  });
  deps.metrics.connections.inc({ transport: 'websocket' });

  const handleFrame = (current: NonNullable<typeof session>, data: RawData) => {
    if (ws.readyState !== WebSocket.OPEN) return; // closed or closing: serve it nothing more
    const bytes = toBytes(data);
    deps.metrics.messagesIn.inc();
    deps.metrics.bytesIn.inc(bytes.byteLength);
    try {
      const refusal = dispatchFrame(current.room, current.peer, bytes);
      if (refusal) refuse(refusal.close, refusal.detail, refusal.reason);
    } catch (error) {
      refuse(CLOSE.MALFORMED, error instanceof Error ? error.message : 'undecodable frame', 'malformed');
    }
  };

  if (!isValidBoardId(id)) return refuse(CLOSE.BAD_ID, 'ids are [A-Za-z0-9_-]{1,64}', 'bad_id');
  void join(id, deps)
    .then((joined) => {
      if (closed) return joined.lease.release();
      const peer = new WsPeer(peerId, joined.role, ws, deps.maxBufferedBytes);
      session = { peer, room: joined.lease.room, lease: joined.lease };
      log.info({ board: joined.lease.room.editId, role: joined.role }, 'connected');
      session.room.join(peer);
      for (const data of held.splice(0)) if (session && !closed) handleFrame(session, data);
    })
    .catch((error: unknown) => {
      log.error({ err: error }, 'board failed to load');
      refuse(CLOSE.INTERNAL_ERROR, 'board failed to load', 'load_failed');
    });
}

async function join(id: string, deps: ConnectionDeps): Promise<{ role: Role; lease: RoomLease }> {
  const access = await deps.registry.resolve(id, true);
  if (!access) throw new Error(`board ${id} could not be created`);
  return { role: access.role, lease: await deps.registry.acquire(access.board) };
}

interface Refusal {
  close: CloseCode;
  detail: string;
  reason: string;
}

/** Handles one frame; returns why to close the peer, or null. Throws on undecodable input. */
function dispatchFrame(room: Room, peer: Peer, bytes: Uint8Array): Refusal | null {
  const decoder = decoding.createDecoder(bytes);
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MESSAGE_TYPE.SYNC: {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (decoding.hasContent(decoder)) throw new Error('trailing bytes after sync message');
      return handleSync(room, peer, step, payload);
    }
    case MESSAGE_TYPE.AWARENESS: {
      const payload = decoding.readVarUint8Array(decoder);
      if (decoding.hasContent(decoder)) throw new Error('trailing bytes after awareness message');
      const decoded = decodeAwarenessUpdate(payload);
      if (!decoded.ok) return { close: decoded.close, detail: decoded.detail, reason: 'awareness_invalid' };
      const applied = room.applyPresence(peer, decoded.entries);
      if (!applied.ok) return { close: applied.close, detail: applied.detail, reason: 'awareness_limit' };
      return null;
    }
    case MESSAGE_TYPE.QUERY_AWARENESS:
      room.sendPresenceTo(peer);
      return null;
    default:
      throw new Error(`unknown message type ${type}`);
  }
}

function handleSync(room: Room, peer: Peer, step: number, payload: Uint8Array): Refusal | null {
  switch (step) {
    case SYNC_STEP.STEP1:
      room.answerSyncStep1(peer, payload);
      return null;
    case SYNC_STEP.STEP2:
    case SYNC_STEP.UPDATE: {
      // A read-only connection receives everything, but its updates are never applied,
      // stored or relayed. The stock client sends an empty step 2 on join: not worth a log.
      if (peer.role === 'view') return null;
      if (payload.byteLength <= EMPTY_UPDATE_BYTES && isEmptyUpdate(payload)) return null;
      const verdict = checkUpdate(payload, room.doc);
      if (!verdict.ok) return { close: verdict.close, detail: verdict.detail, reason: `gate_${verdict.close.code}` };
      room.submitUpdate(peer, payload);
      return null;
    }
    default:
      throw new Error(`unknown sync step ${step}`);
  }
}

function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
