/**
 * Fits an awareness state into what a room relays (MAX_RELAYED_STATE_BYTES). Selecting ten
 * thousand shapes must not close anyone (contract: "Awareness state"): a state over the size
 * keeps the first ids of its `selection` that fit and says how many there were in
 * `selectionCount` (the editor does the same itself before sending, so this is for other
 * clients). A state that does not fit even with an empty selection is dropped.
 */

export type Fitted =
  | { kind: 'as-is'; state: Record<string, unknown> }
  | { kind: 'trimmed'; state: Record<string, unknown> }
  | { kind: 'dropped' };

const utf8Bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** The number of selected shapes the state stands for. */
function selectionCountOf(state: Record<string, unknown>, selection: readonly unknown[]): number {
  const stated = state.selectionCount;
  const valid = typeof stated === 'number' && Number.isSafeInteger(stated) && stated >= 0;
  return Math.max(selection.length, valid ? stated : 0);
}

export function fitState(state: Record<string, unknown>, maxBytes: number): Fitted {
  if (utf8Bytes(state) <= maxBytes) return { kind: 'as-is', state };
  const selection = state.selection;
  if (!Array.isArray(selection)) return { kind: 'dropped' };
  const selectionCount = selectionCountOf(state, selection);
  const withFirst = (n: number) => ({ ...state, selection: selection.slice(0, n), selectionCount });
  if (utf8Bytes(withFirst(0)) > maxBytes) return { kind: 'dropped' };
  // The largest prefix that fits: binary search, a handful of encodings of at most maxBytes.
  let fits = 0;
  let tooBig = selection.length;
  while (tooBig - fits > 1) {
    const mid = (fits + tooBig) >>> 1;
    if (utf8Bytes(withFirst(mid)) <= maxBytes) fits = mid;
    else tooBig = mid;
  }
  return { kind: 'trimmed', state: withFirst(fits) };
}
