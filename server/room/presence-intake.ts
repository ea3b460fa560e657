/**
 * A peer's awareness message, from bytes to the room's presence. Presence never closes an honest
 * client (contract: "Awareness state"): only bytes that do not decode (1007) or an entry count
 * far beyond any room (1008) close the peer. Everything else is applied or left out, counted and
 * logged:
 *   - entries for ids another connection owns (a reconnecting tab may briefly overlap its old
 *     connection; stock clients echo others' states) are skipped unparsed
 *     (`boardcast_refusals_total{reason="presence_foreign_id"}`);
 *   - new ids past MAX_CLIENT_IDS_PER_PEER are left out (`…{reason="presence_too_many_ids"}`);
 *   - a state over MAX_RELAYED_STATE_BYTES has its selection trimmed, or is dropped when that is
 *     not enough, as is one too big to parse or not an object
 *     (`boardcast_presence_trimmed_total{action="trimmed"|"dropped"}`).
 */
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { decodeAwarenessUpdate, type AwarenessEntry } from './awareness-decode.ts';
import type { Peer } from './peer.ts';
import { fitState } from './presence-trim.ts';
import type { Refusal } from './refusal.ts';
import { MAX_RELAYED_STATE_BYTES, type RoomPresence } from './room-presence.ts';

export interface PresenceIntakeDeps {
  presence: RoomPresence;
  metrics: Metrics;
  log: Logger;
  /** The board's internal key, for logs (its ids may be reset). */
  boardKey: string;
  /** Peers already logged at info for a trimmed state (later trims are logged at debug). */
  reported: WeakSet<Peer>;
}

interface Fitting {
  entries: AwarenessEntry[];
  trimmed: number;
  dropped: number;
}

/** The last entry per client id (what y-protocols would end with), each fitted to the size. */
function fitEntries(entries: readonly AwarenessEntry[]): Fitting {
  const last = new Map<number, AwarenessEntry>();
  for (const entry of entries) last.set(entry.clientId, entry);
  const result: Fitting = { entries: [], trimmed: 0, dropped: 0 };
  for (const entry of last.values()) {
    if (entry.state === null) {
      result.entries.push(entry);
      continue;
    }
    const fitted = fitState(entry.state, MAX_RELAYED_STATE_BYTES);
    if (fitted.kind === 'dropped') {
      result.dropped++;
      continue;
    }
    if (fitted.kind === 'trimmed') result.trimmed++;
    result.entries.push({ ...entry, state: fitted.state });
  }
  return result;
}

/** Applies `payload` (the bytes after the message type); returns why to close the peer, or null. */
export function receivePresence(
  deps: PresenceIntakeDeps,
  peer: Peer,
  payload: Uint8Array,
): Refusal | null {
  const started = performance.now();
  const refusal = applyPresence(deps, peer, payload);
  deps.metrics.presenceIntakeSeconds.inc((performance.now() - started) / 1_000);
  return refusal;
}

function applyPresence(deps: PresenceIntakeDeps, peer: Peer, payload: Uint8Array): Refusal | null {
  const decoded = decodeAwarenessUpdate(payload, undefined, (clientId) =>
    deps.presence.wants(peer, clientId),
  );
  if (!decoded.ok)
    return { close: decoded.close, detail: decoded.detail, reason: 'awareness_invalid' };
  const fitting = fitEntries(decoded.entries);
  const verdict = deps.presence.apply(peer, fitting.entries);
  report(deps, peer, {
    foreign: decoded.skipped + verdict.foreign,
    overIds: verdict.overIds,
    trimmed: fitting.trimmed,
    dropped: decoded.dropped + fitting.dropped,
  });
  return null;
}

function report(
  deps: PresenceIntakeDeps,
  peer: Peer,
  counts: { foreign: number; overIds: number; trimmed: number; dropped: number },
): void {
  const { metrics } = deps;
  if (counts.foreign > 0) metrics.refusals.inc({ reason: 'presence_foreign_id' }, counts.foreign);
  if (counts.overIds > 0) metrics.refusals.inc({ reason: 'presence_too_many_ids' }, counts.overIds);
  if (counts.trimmed > 0) metrics.presenceTrimmed.inc({ action: 'trimmed' }, counts.trimmed);
  if (counts.dropped > 0) metrics.presenceTrimmed.inc({ action: 'dropped' }, counts.dropped);
  // Cursors move 30 times a second: a peer's first trim is logged at info, later ones at debug.
  const context = { board: deps.boardKey, peer: peer.id, ...counts };
  if (counts.overIds > 0 || counts.dropped > 0) {
    deps.log.warn(context, 'presence entries left out');
  } else if (counts.trimmed > 0 && !deps.reported.has(peer)) {
    deps.reported.add(peer);
    deps.log.info(context, 'presence state trimmed to its first selected ids');
  } else if (counts.foreign > 0 || counts.trimmed > 0) {
    deps.log.debug(context, 'presence trimmed or foreign');
  }
}
