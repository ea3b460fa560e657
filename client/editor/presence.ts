/**
 * Presence over y-protocols awareness, in the contract's shape:
 * `{ user: { name, color }, cursor: { x, y } | null, selection: string[] }`, plus
 * `viewport: { x, y, width, height }` (the board area this person sees, for follow mode) and
 * `laser: number[]` (a short trail of board points x0, y0, x1, y1, …; empty when off).
 * Publishes this person's cursor, viewport and laser together, at most ~30 times a second (one
 * awareness change carries whatever moved since the last), and the selection; reads everyone
 * else's, checking every field, since a peer may send anything.
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
/** Numbers of a laser trail sent or read at most (two per point). */
export const MAX_LASER_NUMBERS = 64;
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
  /** The board area the peer sees, if they share it. */
  viewport: Bounds | null;
  /** The peer's laser trail (board points, oldest first); empty when off. */
  laser: number[];
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What moves often, sent together at the cursor's pace. */
interface PacedFields {
  cursor?: Point | null;
  viewport?: Bounds;
  laser?: number[];
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
  private readonly throttle: IntervalThrottle<null>;
  private pending: PacedFields = {};
  private readonly listeners = new Set<(peers: Peer[]) => void>();

  constructor(
    private readonly awareness: Awareness,
    identity: Identity,
  ) {
    awareness.setLocalState({ user: identity, cursor: null, selection: [] });
    this.throttle = new IntervalThrottle(CURSOR_INTERVAL_MS, () => this.publishPaced());
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
    this.pace({ cursor });
  }

  /** The board area on screen (rounded: a tenth of a unit is plenty). */
  setViewport(bounds: Bounds): void {
    const round = (value: number) => Math.round(value * 10) / 10;
    this.pace({
      viewport: {
        x: round(bounds.x),
        y: round(bounds.y),
        width: round(bounds.width),
        height: round(bounds.height),
      },
    });
  }

  /** The laser trail, oldest point first (at most MAX_LASER_NUMBERS numbers are sent). */
  setLaser(points: readonly number[]): void {
    const start = Math.max(0, points.length - MAX_LASER_NUMBERS);
    this.pace({ laser: points.slice(start - (start % 2)).map((n) => Math.round(n * 10) / 10) });
  }

  private pace(fields: PacedFields): void {
    this.pending = { ...this.pending, ...fields };
    this.throttle.push(null);
  }

  private publishPaced(): void {
    const fields = this.pending;
    this.pending = {};
    if (Object.keys(fields).length === 0) return;
    this.awareness.setLocalState({ ...(this.awareness.getLocalState() ?? {}), ...fields });
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
    viewport: readViewport(state.viewport),
    laser: readLaser(state.laser),
  };
}

function readViewport(raw: unknown): Bounds | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { x, y, width, height } = raw as Record<string, unknown>;
  const finite = [x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!finite || (width as number) <= 0 || (height as number) <= 0) return null;
  return { x: x as number, y: y as number, width: width as number, height: height as number };
}

function readLaser(raw: unknown): number[] {
  if (!Array.isArray(raw)) return [];
  const numbers = raw.slice(-MAX_LASER_NUMBERS);
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return [];
  return numbers.length % 2 === 0 ? numbers : numbers.slice(1);
}
