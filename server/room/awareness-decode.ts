/**
 * The y-protocols awareness update, decoded within bounds and re-encoded.
 *   awarenessUpdate = varUint(#entries) { varUint(clientID) varUint(clock) varString(stateJSON) }
 * stateJSON is "null" when the client's presence is removed. The contract's state is
 * `{ user: { name, color }, cursor: { x, y } | null, selection: string[] }` plus optional
 * `viewport` and `laser`; third-party clients put other things there, so only the JSON kind
 * (object or null) and the size are looked at.
 *
 * Presence never closes an honest client: only bytes that do not decode (1007) and an entry
 * count far beyond any room (1008) are refused. Entries the caller does not want (client ids
 * another connection owns) are skipped without being parsed; a state too big to be worth
 * parsing, or one that is not an object, is dropped (counted in `dropped`).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null removes the client's presence. */
  state: Record<string, unknown> | null;
}

export type AwarenessVerdict =
  | {
      ok: true;
      entries: AwarenessEntry[];
      /** Entries the caller did not want, skipped unparsed. */
      skipped: number;
      /** States too big to parse, or not objects: left out. */
      dropped: number;
    }
  | { ok: false; close: CloseCode; detail: string };

export interface AwarenessLimits {
  /** Entries in one awareness update; over → 1008 (an echo of a whole room stays far below). */
  maxEntries: number;
  /** UTF-8 bytes of the largest state parsed at all; a bigger one is dropped unread. */
  maxParsedStateBytes: number;
}

export const DEFAULT_AWARENESS_LIMITS: Readonly<AwarenessLimits> = Object.freeze({
  maxEntries: 10_000,
  /** Fits a selection of 10,000 ids, which a third-party client may send whole; it is trimmed. */
  maxParsedStateBytes: 256 * 1024,
});

/** Marks a state that was left out (too big to parse, or not an object). */
const DROPPED = Symbol('dropped');

/** clientID, clock and a one-byte string length: the least an entry can take. */
const MIN_ENTRY_BYTES = 3;

type Decoder = decoding.Decoder;

/** A decoding failure the caller reports with `close`. */
class AwarenessRefusal extends Error {
  readonly close: CloseCode;
  constructor(close: CloseCode, detail: string) {
    super(detail);
    this.close = close;
  }
}

const bytesLeft = (d: Decoder): number => d.arr.length - d.pos;

function readState(
  d: Decoder,
  limits: AwarenessLimits,
): Record<string, unknown> | null | typeof DROPPED {
  const byteLength = decoding.peekVarUint(d);
  // Checked before reading so an oversized state is neither copied nor parsed.
  if (byteLength > limits.maxParsedStateBytes) {
    skipString(d);
    return DROPPED;
  }
  const state: unknown = JSON.parse(decoding.readVarString(d));
  if (state === null) return null;
  if (typeof state !== 'object' || Array.isArray(state)) return DROPPED;
  return state as Record<string, unknown>;
}

function skipString(d: Decoder): void {
  const byteLength = decoding.readVarUint(d);
  if (byteLength > bytesLeft(d))
    throw new AwarenessRefusal(CLOSE.MALFORMED, 'awareness state runs past the end');
  d.pos += byteLength;
}

function readEntries(
  payload: Uint8Array,
  limits: AwarenessLimits,
  wanted: (clientId: number) => boolean,
): Extract<AwarenessVerdict, { ok: true }> {
  const d = decoding.createDecoder(payload);
  const count = decoding.readVarUint(d);
  if (count * MIN_ENTRY_BYTES > bytesLeft(d)) {
    throw new AwarenessRefusal(CLOSE.MALFORMED, `${count} awareness entries do not fit`);
  }
  if (count > limits.maxEntries) {
    throw new AwarenessRefusal(
      CLOSE.OVER_LIMIT,
      `${count} awareness entries is over ${limits.maxEntries}`,
    );
  }
  const result = { ok: true as const, entries: [] as AwarenessEntry[], skipped: 0, dropped: 0 };
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    if (!wanted(clientId)) {
      skipString(d);
      result.skipped++;
      continue;
    }
    const state = readState(d, limits);
    if (state === DROPPED) result.dropped++;
    else result.entries.push({ clientId, clock, state });
  }
  if (bytesLeft(d) !== 0)
    throw new AwarenessRefusal(CLOSE.MALFORMED, 'trailing bytes after awareness');
  return result;
}

/**
 * Decodes an awareness update payload (the bytes after the message type). Never throws:
 * anything that does not decode or parse is MALFORMED (1007), more entries than `limits` allow
 * OVER_LIMIT (1008). `wanted` picks the client ids worth parsing (all by default).
 */
export function decodeAwarenessUpdate(
  payload: Uint8Array,
  limits: AwarenessLimits = DEFAULT_AWARENESS_LIMITS,
  wanted: (clientId: number) => boolean = () => true,
): AwarenessVerdict {
  try {
    return readEntries(payload, limits, wanted);
  } catch (error) {
    if (error instanceof AwarenessRefusal)
      return { ok: false, close: error.close, detail: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, close: CLOSE.MALFORMED, detail: `awareness does not decode: ${message}` };
  }
}

/** Encodes entries in the same wire format, as y-protocols' `encodeAwarenessUpdate` does. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}
