/**
 * What a room sees of a connection: a role, a way to send bytes and a way to close. The socket
 * library stays outside (server/transports/websocket/ws-connection.ts), so rooms are transport-agnostic.
 */
import type { CloseCode } from '../../common/protocol/close-codes.ts';
import type { Role } from '../storage/board-store.ts';
import type { SharedFrame } from './shared-frame.ts';

export interface Peer {
  /** Unique per server process; for logs. */
  readonly id: number;
  readonly role: Role;
  /** The id (edit or view) this peer came by: resetting that id closes it (4404). */
  readonly viaId: string;
  /** Queues a frame; dropped silently once the peer is closing. Never throws. */
  send(frame: Uint8Array): void;
  /**
   * As `send`, for a frame the room sends to many peers: the transport may encode it for the
   * wire once for all of them (SharedFrame.wire). Optional: a peer without it gets `send`.
   */
  sendShared?(frame: SharedFrame): void;
  /**
   * Queues a presence frame unless the peer is behind (its send buffer past the presence bound):
   * then the frame is dropped and false returned, and the room sends it whole presence later.
   * Optional: a peer without it gets presence through `send`.
   */
  sendPresence?(frame: SharedFrame): boolean;
  /** Closes with a documented code; idempotent. */
  close(close: CloseCode, detail?: string): void;
}
