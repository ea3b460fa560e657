/**
 * One editing connection, whatever carries its bytes (a WebSocket, an HTTP session): what every
 * transport needs between "bytes arrived" and the room. A transport makes one PeerSession per
 * connection, calls `open(boardId)` once, `receive(message)` with each y-protocols message in
 * order, and `end()` when the connection is gone; the session calls the transport back to send,
 * to pause and resume input, and to close. The transport never touches the room.
 *
 *   - rates: every message spends from its kind's bucket (frame-throttle.ts); a flood → 4429;
 *   - messages that arrive while the board loads, or while a token refresh is verified, wait
 *     in order (at most `maxPendingFrames`; more → 1008: nothing honest sends that many);
 *   - a token message (type 100, JWT mode) is verified before any later message is handled,
 *     and the session's role follows the new token at once;
 *   - every other message goes to `room.receive`, which answers, gates, holds or refuses it.
 *
 * Close codes (common/protocol/close-codes.ts) are logged and counted by reason here or in the
 * room, and close this connection alone.
 */
import * as decoding from 'lib0/decoding';
import { isValidBoardId } from '../../common/board/ids.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE } from '../../common/protocol/message-types.ts';
import { readTokenPayload } from '../../common/protocol/token-message.ts';
import type { AuthGrant, BoardAuth } from '../auth/board-auth.ts';
import { ConnectionToken } from '../auth/connection-token.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { BoardGoneError, type Role } from '../storage/board-store.ts';
import {
  FrameThrottle,
  THROTTLE_TICK_MS,
  type FrameKind,
  type FrameRates,
  type ThrottleHandlers,
} from './frame-throttle.ts';
import type { Peer } from './peer.ts';
import type { SharedFrame } from './shared-frame.ts';
import type { Room } from './room.ts';
import type { RoomLease, RoomRegistry } from './room-registry.ts';

export interface PeerSessionDeps {
  registry: RoomRegistry;
  log: Logger;
  metrics: Metrics;
  /** Messages held per connection while its board loads; more closes it with 1008. */
  maxPendingFrames: number;
  rates: FrameRates;
  /** JWT mode; null when AUTH_SECRET is unset. */
  auth: BoardAuth | null;
}

/** The transport's side of a session: bytes out, flow control, close. */
export interface PeerTransport {
  /** For metrics and logs: `websocket`, `http`… */
  readonly name: string;
  /** False once closing: nothing more is sent or handled. */
  readonly isOpen: boolean;
  /** Queues a frame; dropped once closing. Never throws. */
  send(frame: Uint8Array): void;
  /** As `Peer.sendShared`. Optional: without it, `send(frame.bytes)`. */
  sendShared?(frame: SharedFrame): void;
  /** As `Peer.sendPresence`: false (and nothing sent) when the client is behind. Optional. */
  sendPresence?(frame: SharedFrame): boolean;
  /** Closes with a documented code; idempotent. */
  close(close: CloseCode, detail?: string): void;
  /** Stops reading input until `resume` (messages are waiting for their rate bucket). */
  pause(): void;
  resume(): void;
}

export interface PeerSessionOptions {
  /** Unique per process (deps.nextPeerId in app.ts); for logs. */
  id: number;
  /** The client's address, for logs. */
  remote: string;
  /** JWT mode: the token checked before the connection was accepted. */
  grant: AuthGrant | null;
}

/**
 * Thousands of these sit idle, so a session holds little until it is used: no child logger (its
 * lines carry `peer` and `remote` as fields), no rate bucket before a message of its kind
 * (frame-throttle.ts), no queue before a message has to wait.
 */
export class PeerSession implements Peer, ThrottleHandlers {
  readonly id: number;
  /** The client's address, for logs. */
  readonly remote: string;
  private readonly throttle: FrameThrottle;
  private readonly token: ConnectionToken | null;
  /** Admitted messages that wait for the board to load or a token to be verified; null when none. */
  private waiting: Uint8Array[] | null = null;
  private joined: { room: Room; lease: RoomLease; accessRole: Role } | null = null;
  private verifying = false;
  private ended = false;
  /** The id this session opened the board by (`Peer.viaId`). */
  private boardId = '';

  constructor(
    private readonly deps: PeerSessionDeps,
    private readonly transport: PeerTransport,
    options: PeerSessionOptions,
  ) {
    this.id = options.id;
    this.remote = options.remote;
    this.throttle = new FrameThrottle(deps.rates, this);
    this.token =
      options.grant && deps.auth
        ? new ConnectionToken(options.grant, deps.auth, () =>
            this.refuse(CLOSE.NOT_AUTHENTICATED, 'token expired', 'token_expired'),
          )
        : null;
    deps.metrics.connections.inc({ transport: transport.name });
  }

  get viaId(): string {
    return this.boardId;
  }

  /** The lesser of the board id's role and the token's (a refresh can lower it at once). */
  get role(): Role {
    const byAccess = this.joined?.accessRole ?? 'view';
    return byAccess === 'view' || this.token?.role === 'view' ? 'view' : 'edit';
  }

  send(frame: Uint8Array): void {
    this.transport.send(frame);
  }

  sendShared(frame: SharedFrame): void {
    if (this.transport.sendShared) this.transport.sendShared(frame);
    else this.transport.send(frame.bytes);
  }

  sendPresence(frame: SharedFrame): boolean {
    if (this.transport.sendPresence) return this.transport.sendPresence(frame);
    this.sendShared(frame);
    return true;
  }

  close(close: CloseCode, detail?: string): void {
    this.transport.close(close, detail);
  }

  /** Closes this connection for a reason worth a log line and a count. */
  refuse(close: CloseCode, detail: string, reason: string): void {
    this.deps.metrics.refusals.inc({ reason });
    this.deps.log.warn(this.logFields({ code: close.code, reason: detail }), 'connection refused');
    this.transport.close(close, detail);
  }

  /** Resolves `boardId` (creating the board when new), loads it and joins its room. */
  open(boardId: string): void {
    if (!isValidBoardId(boardId))
      return this.refuse(CLOSE.BAD_ID, 'ids are [A-Za-z0-9_-]{1,64}', 'bad_id');
    this.boardId = boardId;
    void this.acquire(boardId)
      .then((joined) => {
        if (!joined) return this.refuse(CLOSE.GONE, 'this link was reset', 'gone');
        if (this.ended) return joined.lease.release();
        // Checked in the same tick as the join: a link reset since the lookup closes it here.
        if (joined.room.roleOf(boardId) !== joined.accessRole) {
          joined.lease.release();
          return this.refuse(CLOSE.GONE, 'this link was reset', 'gone');
        }
        this.joined = joined;
        this.deps.log.info(
          this.logFields({ board: joined.room.editId, role: this.role }),
          'connected',
        );
        joined.room.join(this);
        this.drainWaiting();
      })
      .catch((error: unknown) => {
        this.deps.log.error(this.logFields({ err: error }), 'board failed to load');
        this.refuse(CLOSE.INTERNAL_ERROR, 'board failed to load', 'load_failed');
      });
  }

  /** One message from the client, in order. */
  receive(message: Uint8Array): void {
    if (this.ended || !this.transport.isOpen) return;
    this.throttle.push(message);
  }

  /** The connection is gone: leave the room, free everything. Idempotent. */
  end(code?: number): void {
    if (this.ended) return;
    this.ended = true;
    this.token?.dispose();
    this.throttle.dispose();
    this.waiting = null;
    this.deps.metrics.connections.dec({ transport: this.transport.name });
    this.deps.log.info(this.logFields({ code }), 'disconnected');
    if (this.joined) {
      this.joined.room.leave(this);
      this.joined.lease.release();
    }
  }

  /**
   * Resolves once every message received so far has been handed to the room (past its rate
   * bucket, the board load and any token check) and the room has committed and relayed what it
   * accepted: what an HTTP session's POST waits for before it answers. Held updates (waiting
   * for what they build on) are not waited for.
   */
  async whenHandled(): Promise<void> {
    while (!this.ended && this.transport.isOpen && this.busy)
      await new Promise((resolve) => setTimeout(resolve, THROTTLE_TICK_MS));
    if (this.joined && !this.ended) await this.joined.room.whenSettled();
  }

  /**
   * Starts the sync over, as a fresh join does (our state vector, the whole board, everyone's
   * presence): for a transport that had to drop messages its client did not collect.
   */
  resync(): void {
    if (this.joined && !this.ended) this.joined.room.resync(this);
  }

  private get busy(): boolean {
    return !this.joined || this.verifying || this.waiting !== null || this.throttle.pending > 0;
  }

  /** What every log line of this connection carries. */
  private logFields(fields: Record<string, unknown>): Record<string, unknown> {
    return { peer: this.id, remote: this.remote, ...fields };
  }

  /** The board's room, held; null when the id was reset or the board deleted meanwhile. */
  private async acquire(boardId: string) {
    const access = await this.deps.registry.resolve(boardId, true); // null: a reset id
    if (!access) return null;
    try {
      const lease = await this.deps.registry.acquire(access.board);
      return { room: lease.room, lease, accessRole: access.role };
    } catch (error) {
      if (error instanceof BoardGoneError) return null;
      throw error;
    }
  }

  // ── For the throttle (ThrottleHandlers), not for transports ─────────────────────────────

  /** A message within its rate: handled now, or held while the board loads or a token is checked. */
  admit(message: Uint8Array): void {
    if (this.joined && !this.verifying) return this.handle(this.joined.room, message);
    if ((this.waiting?.length ?? 0) >= this.deps.maxPendingFrames)
      return this.refuse(CLOSE.OVER_LIMIT, 'too many frames before sync', 'pending_frames');
    (this.waiting ??= []).push(message);
  }

  pauseInput(): void {
    this.transport.pause();
  }

  resumeInput(): void {
    this.transport.resume();
  }

  flood(kind: FrameKind): void {
    this.refuse(CLOSE.RATE_LIMITED, `too many ${kind} messages`, `rate_limited_${kind}`);
  }

  isAccepting(): boolean {
    return !this.ended && this.transport.isOpen;
  }

  // ── Inside ──────────────────────────────────────────────────────────────────────────────

  private drainWaiting(): void {
    while (this.joined && !this.verifying && !this.ended && this.waiting) {
      const message = this.waiting.shift();
      if (this.waiting.length === 0) this.waiting = null;
      if (message) this.handle(this.joined.room, message);
    }
  }

  private handle(room: Room, message: Uint8Array): void {
    if (!this.transport.isOpen) return; // closed or closing: serve it nothing more
    this.deps.metrics.messagesIn.inc();
    this.deps.metrics.bytesIn.inc(message.byteLength);
    if (message[0] !== MESSAGE_TYPE.TOKEN_REFRESH) return room.receive(this, message);
    try {
      const decoder = decoding.createDecoder(message);
      decoding.readVarUint(decoder);
      this.refreshToken(room, readTokenPayload(decoder));
    } catch (error) {
      this.refuse(CLOSE.MALFORMED, (error as Error).message, 'malformed');
    }
  }

  private refreshToken(room: Room, jwt: string): void {
    if (!this.token) return; // not JWT mode: nothing to refresh
    this.verifying = true;
    void this.token.refresh(jwt, room.board).then((result) => {
      this.verifying = false;
      if (!result.ok) return this.refuse(result.close, result.detail, result.reason);
      this.deps.metrics.tokenRefreshes.inc();
      this.deps.log.debug(this.logFields({ role: this.role }), 'token refreshed');
      this.drainWaiting();
    });
  }
}
