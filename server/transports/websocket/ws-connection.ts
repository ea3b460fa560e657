/**
 * One WebSocket connection, from upgrade to close: resolve the id, hold frames while the board
 * loads, join the room, then handle each frame in order. Any bad frame closes this peer alone
 * with a documented code (common/protocol/close-codes.ts); nobody else notices.
 *
 * Frames (PROTOCOL.md): sync step 1 → answered with step 2; sync step 2 / update → the update
 * gate, then the room's commit queue (ignored on a read-only connection); awareness → decoded,
 * then applied for the client ids this connection introduced; query awareness → every state;
 * token (JWT mode) → verified while later frames wait, then the connection's rights change.
 * Every frame first spends a token from its kind's bucket (sync vs. presence and control). A
 * frame that finds its bucket empty waits, in order, and the socket stops being read until the
 * queue drains, so a client just over the limit is slowed down; a client more than one burst
 * over it (a flood) is closed with 4429.
 */
import * as decoding from 'lib0/decoding';
import { WebSocket, type RawData } from 'ws';
import { isValidBoardId } from '../../../common/board/ids.ts';
import { CLOSE, type CloseCode } from '../../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../../common/protocol/message-types.ts';
import { readTokenPayload } from '../../../common/protocol/token-message.ts';
import type { AuthGrant, BoardAuth } from '../../auth/board-auth.ts';
import { ConnectionToken } from '../../auth/connection-token.ts';
import { TokenBucket } from '../../limits/token-bucket.ts';
import type { Logger } from '../../log.ts';
import type { Metrics } from '../../metrics.ts';
import type { Peer } from '../../room/peer.ts';
import type { Room } from '../../room/room.ts';
import type { RoomLease, RoomRegistry } from '../../room/room-registry.ts';
import { BoardGoneError, type Role } from '../../storage/board-store.ts';
import { decodeAwarenessUpdate } from '../../room/awareness-decode.ts';
import { checkUpdate } from '../../room/update-gate.ts';

/** An empty Yjs update (no structs, no deletions): what a fresh client sends as sync step 2. */
const EMPTY_UPDATE_BYTES = 2;
/** WebSocket close reasons are limited to 123 bytes. */
const MAX_CLOSE_REASON_CHARS = 120;
/** How often frames waiting for their rate bucket are looked at again. */
const THROTTLE_TICK_MS = 25;
/** A peer closed for reading too slowly gets this long to take the close frame, then is cut. */
const SLOW_PEER_CLOSE_GRACE_MS = 1_000;

/** Per-connection token buckets (config: RATE_*). */
export interface FrameRates {
  updatesPerSecond: number;
  updatesBurst: number;
  presencePerSecond: number;
  presenceBurst: number;
}

export interface ConnectionDeps {
  registry: RoomRegistry;
  log: Logger;
  metrics: Metrics;
  maxPendingFrames: number;
  /** Past this many unsent bytes a peer is closed with 1013: it resyncs when it reconnects. */
  maxBufferedBytes: number;
  /** Past this many unsent bytes a peer gets no presence (it is sent the whole presence later). */
  presenceBufferBytes: number;
  rates: FrameRates;
  /** JWT mode; null when AUTH_SECRET is unset. */
  auth: BoardAuth | null;
  nextPeerId(): number;
}

class WsPeer implements Peer {
  constructor(
    readonly id: number,
    readonly viaId: string,
    private readonly accessRole: Role,
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    private readonly token: ConnectionToken | null,
  ) {}

  /** The lesser of the id's role and the token's (a refresh can lower it at once). */
  get role(): Role {
    return this.accessRole === 'view' || this.token?.role === 'view' ? 'view' : 'edit';
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.maxBufferedBytes) {
      this.deps.metrics.refusals.inc({ reason: 'slow_reader' });
      this.close(CLOSE.TRY_AGAIN_LATER, 'reading too slowly');
      // It is not reading, so it will not read the close frame either: cut it, freeing its buffer.
      setTimeout(() => this.ws.terminate(), SLOW_PEER_CLOSE_GRACE_MS).unref();
      return;
    }
    this.ws.send(frame);
  }

  sendPresence(frame: Uint8Array): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return true;
    if (this.ws.bufferedAmount > this.deps.presenceBufferBytes) {
      this.deps.metrics.presenceSkipped.inc();
      return false;
    }
    this.send(frame);
    return true;
  }

  close(close: CloseCode, detail?: string): void {
    closeSocket(this.ws, close, detail);
  }
}

export function closeSocket(ws: WebSocket, close: CloseCode, detail?: string): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  const reason = detail ? `${close.reason}: ${detail}` : close.reason;
  ws.close(close.code, reason.slice(0, MAX_CLOSE_REASON_CHARS));
  ws.resume(); // a socket paused by the rate limit must still read the peer's closing handshake
}

/**
 * Serves `ws`, an upgraded connection for board id `id` (decoded). `grant` is the token checked
 * at the handshake (JWT mode), or null.
 */
export function serveConnection(
  ws: WebSocket,
  id: string,
  remote: string,
  deps: ConnectionDeps,
  grant: AuthGrant | null = null,
): void {
  const peerId = deps.nextPeerId();
  const log = deps.log.child({ peer: peerId, remote });
  const held: RawData[] = [];
  let session: { peer: WsPeer; room: Room; lease: RoomLease } | null = null;
  let closed = false;
  /** A token refresh is being verified: later frames wait behind it, in order. */
  let verifying = false;
  const buckets = {
    update: new TokenBucket(deps.rates.updatesPerSecond, deps.rates.updatesBurst),
    presence: new TokenBucket(deps.rates.presencePerSecond, deps.rates.presenceBurst),
  };
  const bursts = { update: deps.rates.updatesBurst, presence: deps.rates.presenceBurst };
  /** Frames over the rate, waiting for their bucket; at most one burst of each kind. */
  const throttled: Array<{ data: RawData; kind: keyof typeof buckets }> = [];
  const waiting = { update: 0, presence: 0 };
  let throttleTimer: NodeJS.Timeout | null = null;

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
  const token =
    grant && deps.auth
      ? new ConnectionToken(grant, deps.auth, () =>
          refuse(CLOSE.NOT_AUTHENTICATED, 'token expired', 'token_expired'),
        )
      : null;
  ws.on('close', (code: number) => {
    closed = true;
    token?.dispose();
    if (throttleTimer) clearTimeout(throttleTimer);
    throttled.length = 0;
    deps.metrics.connections.dec({ transport: 'websocket' });
    log.info({ code }, 'disconnected');
    if (session) {
      session.room.leave(session.peer);
      session.lease.release();
    }
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closed || ws.readyState !== WebSocket.OPEN) return;
    if (!isBinary)
      return refuse(CLOSE.MALFORMED, 'text frames are not part of the protocol', 'malformed');
    const kind = firstByte(data) === MESSAGE_TYPE.SYNC ? 'update' : 'presence';
    if (throttled.length === 0 && buckets[kind].take()) return admit(data);
    if (waiting[kind] >= bursts[kind])
      return refuse(CLOSE.RATE_LIMITED, `too many ${kind} messages`, `rate_limited_${kind}`);
    throttled.push({ data, kind });
    waiting[kind]++;
    ws.pause();
    throttleTimer ??= setTimeout(releaseThrottled, THROTTLE_TICK_MS);
  });

  /** A frame within its rate: handled now, or held while the board loads or a token is checked. */
  const admit = (data: RawData) => {
    if (session && !verifying) return handleFrame(session, data);
    if (held.length >= deps.maxPendingFrames)
      return refuse(CLOSE.OVER_LIMIT, 'too many frames before sync', 'pending_frames');
    held.push(data);
  };

  const releaseThrottled = () => {
    throttleTimer = null;
    while (!closed && ws.readyState === WebSocket.OPEN && throttled.length > 0) {
      const next = throttled[0] as (typeof throttled)[number];
      if (!buckets[next.kind].take()) break;
      throttled.shift();
      waiting[next.kind]--;
      admit(next.data);
    }
    if (closed) return;
    if (throttled.length > 0) throttleTimer = setTimeout(releaseThrottled, THROTTLE_TICK_MS);
    else ws.resume();
  };
  deps.metrics.connections.inc({ transport: 'websocket' });

  const drainHeld = () => {
    while (session && !verifying && !closed && held.length > 0)
      handleFrame(session, held.shift() as RawData);
  };

  const refreshToken = (current: NonNullable<typeof session>, decoder: decoding.Decoder) => {
    const jwt = readTokenPayload(decoder);
    if (!token) return; // not JWT mode: nothing to refresh
    verifying = true;
    void token.refresh(jwt, current.room.board).then((result) => {
      verifying = false;
      if (!result.ok) return refuse(result.close, result.detail, result.reason);
      deps.metrics.tokenRefreshes.inc();
      log.debug({ role: current.peer.role }, 'token refreshed');
      drainHeld();
    });
  };

  const handleFrame = (current: NonNullable<typeof session>, data: RawData) => {
    if (ws.readyState !== WebSocket.OPEN) return; // closed or closing: serve it nothing more
    const bytes = toBytes(data);
    deps.metrics.messagesIn.inc();
    deps.metrics.bytesIn.inc(bytes.byteLength);
    try {
      if (bytes[0] === MESSAGE_TYPE.TOKEN_REFRESH) {
        const decoder = decoding.createDecoder(bytes);
        decoding.readVarUint(decoder);
        return refreshToken(current, decoder);
      }
      const refusal = dispatchFrame(current.room, current.peer, bytes);
      if (refusal) refuse(refusal.close, refusal.detail, refusal.reason);
    } catch (error) {
      refuse(
        CLOSE.MALFORMED,
        error instanceof Error ? error.message : 'undecodable frame',
        'malformed',
      );
    }
  };

  if (!isValidBoardId(id)) return refuse(CLOSE.BAD_ID, 'ids are [A-Za-z0-9_-]{1,64}', 'bad_id');
  void join(id, deps)
    .then((joined) => {
      if (!joined) return refuse(CLOSE.GONE, 'this link was reset or the board deleted', 'gone');
      if (closed) return joined.lease.release();
      // Checked in the same tick as the join: a link reset since the lookup closes it here.
      if (joined.lease.room.roleOf(id) !== joined.role) {
        joined.lease.release();
        return refuse(CLOSE.GONE, 'this link was reset', 'gone');
      }
      const peer = new WsPeer(peerId, id, joined.role, ws, deps, token);
      session = { peer, room: joined.lease.room, lease: joined.lease };
      log.info({ board: joined.lease.room.editId, role: peer.role }, 'connected');
      session.room.join(peer);
      drainHeld();
    })
    .catch((error: unknown) => {
      log.error({ err: error }, 'board failed to load');
      refuse(CLOSE.INTERNAL_ERROR, 'board failed to load', 'load_failed');
    });
}

/** The board's room, held; null when the id was reset or the board deleted meanwhile. */
async function join(
  id: string,
  deps: ConnectionDeps,
): Promise<{ role: Role; lease: RoomLease } | null> {
  const access = await deps.registry.resolve(id, true); // null: a reset id, never re-created
  if (!access) return null;
  try {
    return { role: access.role, lease: await deps.registry.acquire(access.board) };
  } catch (error) {
    if (error instanceof BoardGoneError) return null;
    throw error;
  }
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
      if (!decoded.ok)
        return { close: decoded.close, detail: decoded.detail, reason: 'awareness_invalid' };
      const applied = room.applyPresence(peer, decoded.entries);
      if (!applied.ok)
        return { close: applied.close, detail: applied.detail, reason: 'awareness_limit' };
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
      const verdict = checkUpdate(payload, room.doc, undefined, room.queued);
      if (!verdict.ok)
        return {
          close: verdict.close,
          detail: verdict.detail,
          reason: `gate_${verdict.close.code}`,
        };
      room.submitUpdate(peer, payload, verdict.decoded);
      return null;
    }
    default:
      throw new Error(`unknown sync step ${step}`);
  }
}

function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

function firstByte(data: RawData): number | undefined {
  if (Array.isArray(data)) return data[0]?.[0];
  return data instanceof ArrayBuffer
    ? new Uint8Array(data, 0, Math.min(1, data.byteLength))[0]
    : data[0];
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
