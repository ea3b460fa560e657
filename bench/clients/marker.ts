/**
 * Latency markers found in raw frame bytes, so readers never decode Yjs or JSON.
 *
 * Edits: the writer stores `~m<seq>:<sentAtMs>~` in a shape's `text` field. Yjs writes strings
 * as plain UTF-8, so the marker appears verbatim in every update (and in SSE JSON) carrying it.
 * Cursors: the mover puts its send time, relative to a shared epoch, in `cursor.x`; awareness
 * states travel as JSON text, so readers look for `"cursor":{"x":` and read the number.
 * All times are `performance.now()` of this one process: one monotonic clock.
 */

const EDIT_PREFIX = Buffer.from('~m');
const CURSOR_PREFIX = Buffer.from('"cursor":{"x":');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const COLON = 0x3a;
const MINUS = 0x2d;

export function editMarker(seq: number, sentAtMs: number): string {
  return `~m${seq}:${sentAtMs.toFixed(3)}~`;
}

/** Parses an unsigned decimal number at `start`; returns [value, end] or null. */
function readNumber(bytes: Buffer, start: number): [number, number] | null {
  let index = start;
  let negative = false;
  if (bytes[index] === MINUS) {
    negative = true;
    index += 1;
  }
  let value = 0;
  let scale = 0;
  const first = index;
  for (; index < bytes.length; index++) {
    const byte = bytes[index] as number;
    if (byte >= DIGIT_0 && byte <= DIGIT_9) {
      value = value * 10 + (byte - DIGIT_0);
      if (scale > 0) scale *= 10;
    } else if (byte === DOT && scale === 0) {
      scale = 1;
    } else {
      break;
    }
  }
  if (index === first) return null;
  const number = scale > 1 ? value / scale : value;
  return [negative ? -number : number, index];
}

/** Calls `onSentAt` with the send time of every edit marker in `bytes`; returns how many. */
export function scanEditMarkers(bytes: Buffer, onSentAt: (sentAtMs: number) => void): number {
  let found = 0;
  let from = bytes.indexOf(EDIT_PREFIX);
  while (from !== -1) {
    const seq = readNumber(bytes, from + EDIT_PREFIX.length);
    if (seq && bytes[seq[1]] === COLON) {
      const sentAt = readNumber(bytes, seq[1] + 1);
      if (sentAt) {
        onSentAt(sentAt[0]);
        found += 1;
      }
    }
    from = bytes.indexOf(EDIT_PREFIX, from + EDIT_PREFIX.length);
  }
  return found;
}

/** Calls `onX` with every `cursor.x` in `bytes`; returns how many. */
export function scanCursorMarkers(bytes: Buffer, onX: (x: number) => void): number {
  let found = 0;
  let from = bytes.indexOf(CURSOR_PREFIX);
  while (from !== -1) {
    const x = readNumber(bytes, from + CURSOR_PREFIX.length);
    if (x) {
      onX(x[0]);
      found += 1;
    }
    from = bytes.indexOf(CURSOR_PREFIX, from + CURSOR_PREFIX.length);
  }
  return found;
}
