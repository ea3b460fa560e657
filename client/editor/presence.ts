/**
 * Presence over y-protocols awareness, in the contract's shape:
 * `{ user: { name, color }, cursor: { x, y } | null, selection: string[] }`.
 * Publishes this person's cursor (board coordinates, at most ~30 times a second) and selection;
 * reads everyone else's, checking every field, since a peer may send anything.
 */
import type { Awareness } from 'y-protocols/awareness';
import { isColor } from '../../common/board/shape.ts';
import { IntervalThrottle } from './frame-throttle.ts';
import { MAX_NAME_LENGTH, type Identity } from './identity.ts';
import type { Point } from './viewport.ts';

export const CURSOR_INTERVAL_MS = 33;
const MAX_SELECTION_IDS = 10_000;

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  cursor: Point | null;
  selection: string[];
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
    this.awareness.setLocalStateField('selection', [...ids]);
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
  return { clientId, name, color, cursor, selection };
}
