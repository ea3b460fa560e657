/**
 * Presence over y-protocols awareness, in the contract's shape:
 * `{ user: { name, color }, cursor: { x, y } | null, selection: string[] }`.
 * Publishes this person's cursor (board coordinates, at most ~30 times a second) and selection;
 * reads everyone else's, checking every field, since a peer may send anything.
 *
 * The state stays small, so selecting ten thousand shapes never costs anyone their connection:
 * a long selection is sent in part (its first ids, within SELECTION_BUDGET_BYTES) with
 * `selectionCount`, how many shapes are selected in all. The server trims other clients' states
 * the same way (server/room/presence-trim.ts).
 */
import type { Awareness } from 'y-protocols/awareness';
import { isColor } from '../../common/board/shape.ts';
import { IntervalThrottle } from './frame-throttle.ts';
import { MAX_NAME_LENGTH, type Identity } from './identity.ts';
import type { Point } from './viewport.ts';

export const CURSOR_INTERVAL_MS = 33;
const MAX_SELECTION_IDS = 10_000;
/**
 * Bytes of selected ids sent at most: with the name, colour and cursor, and room left for a
 * viewport and a laser trail, the state stays well under the 4 KiB the server relays.
 */
export const SELECTION_BUDGET_BYTES = 2_048;

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  cursor: Point | null;
  /** The selected ids this peer sent: all of them, or the first of a long selection. */
  selection: string[];
  /** How many shapes the peer has selected in all (at least `selection.length`). */
  selectionCount: number;
}

/** The first ids of `ids` that fit the budget, as JSON strings in an array. */
export function selectionPart(
  ids: readonly string[],
  budgetBytes = SELECTION_BUDGET_BYTES,
): string[] {
  const part: string[] = [];
  let bytes = 2; // []
  for (const id of ids) {
    bytes += id.length + 3; // quotes and a comma; ids are ASCII
    if (bytes > budgetBytes) break;
    part.push(id);
  }
  return part;
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

export class Presence {
  private readonly cursorThrottle: IntervalThrottle<Point | null>;
  private readonly listeners = new Set<(peers: Peer[]) => void>();

  constructor(
    private readonly awareness: Awareness,
    identity: Identity,
  ) {
    awareness.setLocalState({ user: identity, cursor: null, selection: [] });
    this.cursorThrottle = new IntervalThrottle(CURSOR_INTERVAL_MS, (cursor) =>
      awareness.setLocalStateField('cursor', cursor),
    );
    // Our own cursor moves 30 times a second; only others' changes need drawing.
    awareness.on('change', ({ added, updated, removed }: AwarenessChanges) => {
      const others = [...added, ...updated, ...removed].some((id) => id !== awareness.clientID);
      if (others) this.emit();
    });
  }

  setUser(identity: Identity): void {
    this.awareness.setLocalStateField('user', identity);
  }

  setCursor(cursor: Point | null): void {
    this.cursorThrottle.push(cursor);
  }

  setSelection(ids: readonly string[]): void {
    const part = selectionPart(ids);
    const state = this.awareness.getLocalState() ?? {};
    const { selectionCount: _previous, ...rest } = state;
    const next =
      part.length < ids.length
        ? { ...rest, selection: part, selectionCount: ids.length }
        : { ...rest, selection: part };
    this.awareness.setLocalState(next);
  }

  /** Everyone else here now. */
  peers(): Peer[] {
    const peers: Peer[] = [];
    this.awareness.getStates().forEach((state, clientId) => {
      if (clientId === this.awareness.clientID) return;
      const peer = readPeer(clientId, state);
      if (peer) peers.push(peer);
    });
    return peers;
  }

  onChange(listener: (peers: Peer[]) => void): void {
    this.listeners.add(listener);
  }

  private emit(): void {
    const peers = this.peers();
    for (const listener of this.listeners) listener(peers);
  }
}

function readPeer(clientId: number, state: Record<string, unknown>): Peer | null {
  const user = state.user as { name?: unknown; color?: unknown } | undefined;
  if (typeof user !== 'object' || user === null) return null;
  const name = typeof user.name === 'string' ? user.name.slice(0, MAX_NAME_LENGTH) : 'Anonymous';
  const color = isColor(user.color) ? user.color : '#868e96';
  const raw = state.cursor as { x?: unknown; y?: unknown } | null | undefined;
  const cursor =
    raw && Number.isFinite(raw.x) && Number.isFinite(raw.y)
      ? { x: raw.x as number, y: raw.y as number }
      : null;
  const selection = Array.isArray(state.selection)
    ? state.selection
        .filter((id): id is string => typeof id === 'string')
        .slice(0, MAX_SELECTION_IDS)
    : [];
  const stated = state.selectionCount;
  const counted =
    typeof stated === 'number' && Number.isSafeInteger(stated) && stated > 0 ? stated : 0;
  return {
    clientId,
    name,
    color,
    cursor,
    selection,
    selectionCount: Math.max(counted, selection.length),
  };
}
