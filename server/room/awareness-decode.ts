/**
 * The y-protocols awareness update, decoded within bounds and re-encoded.
 *   awarenessUpdate = varUint(#entries) { varUint(clientID) varUint(clock) varString(stateJSON) }
 * stateJSON is "null" when the client's presence is removed. The contract's state is
 * `{ user: { name, color }, cursor: { x, y } | null, selection: string[] }`; third-party clients
 * put other things there, so only the size and the JSON kind (object or null) are enforced.
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
  { ok: true; entries: AwarenessEntry[] } | { ok: false; close: CloseCode; detail: string };

export interface AwarenessLimits {
  maxEntries: number;
  maxStateBytes: number;
}

export const DEFAULT_AWARENESS_LIMITS: Readonly<AwarenessLimits> = Object.freeze({
  /** Entries in one awareness update; over → 1008. */
  maxEntries: 16,
  /** UTF-8 bytes of one entry's state JSON; over → 1008. */
  maxStateBytes: 4096,
});

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

function readState(d: Decoder, limits: AwarenessLimits): Record<string, unknown> | null {
  const byteLength = decoding.peekVarUint(d);
  // Checked before reading so an oversized state is neither copied nor parsed.
  if (byteLength > limits.maxStateBytes) {
    throw new AwarenessRefusal(
      CLOSE.OVER_LIMIT,
      `awareness state of ${byteLength} bytes is too big`,
    );
  }
  const state: unknown = JSON.parse(decoding.readVarString(d));
  if (state === null) return null;
  if (typeof state !== 'object' || Array.isArray(state)) {
    throw new AwarenessRefusal(CLOSE.MALFORMED, 'awareness state is not an object or null');
  }
  return state as Record<string, unknown>;
}

function readEntries(payload: Uint8Array, limits: AwarenessLimits): AwarenessEntry[] {
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
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    entries.push({ clientId, clock, state: readState(d, limits) });
  }
  if (bytesLeft(d) !== 0)
    throw new AwarenessRefusal(CLOSE.MALFORMED, 'trailing bytes after awareness');
  return entries;
}

/**
 * Decodes an awareness update payload (the bytes after the message type). Never throws:
 * anything that does not decode or parse is MALFORMED (1007), anything over `limits` OVER_LIMIT (1008).
 */
export function decodeAwarenessUpdate(
  payload: Uint8Array,
  limits: AwarenessLimits = DEFAULT_AWARENESS_LIMITS,
): AwarenessVerdict {
  try {
    return { ok: true, entries: readEntries(payload, limits) };
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
