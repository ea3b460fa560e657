/**
 * A peer's awareness message, from bytes to the room's presence: decoded within bounds
 * (awareness-decode.ts), then applied for the client ids this peer introduced. Entries for an id
 * another connection owns are dropped, counted and logged, not answered with a close: a
 * reconnecting tab may briefly overlap its own old connection.
 */
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { decodeAwarenessUpdate } from './awareness-decode.ts';
import type { Peer } from './peer.ts';
import type { Refusal } from './refusal.ts';
import type { RoomPresence } from './room-presence.ts';

export interface PresenceIntakeDeps {
  presence: RoomPresence;
  metrics: Metrics;
  log: Logger;
  editId: string;
}

/** Applies `payload` (the bytes after the message type); returns why to close the peer, or null. */
export function receivePresence(
  deps: PresenceIntakeDeps,
  peer: Peer,
  payload: Uint8Array,
): Refusal | null {
  const decoded = decodeAwarenessUpdate(payload);
  if (!decoded.ok)
    return { close: decoded.close, detail: decoded.detail, reason: 'awareness_invalid' };
  const verdict = deps.presence.apply(peer, decoded.entries);
  if (!verdict.ok)
    return { close: verdict.close, detail: verdict.detail, reason: 'awareness_limit' };
  if (verdict.foreign > 0) {
    deps.metrics.refusals.inc({ reason: 'presence_foreign_id' }, verdict.foreign);
    deps.log.warn(
      { board: deps.editId, peer: peer.id, entries: verdict.foreign },
      "presence for another connection's client id dropped",
    );
  }
  return null;
}
