/**
 * What a room tells its subscribers (the viewers' feed today; webhooks and thumbnails next).
 * Subscribers are named objects with typed methods, not callbacks looked up by string. Every
 * event reports something already applied to the board, and a change made on this instance is
 * committed to storage before it is applied, so a subscriber never sees anything that could be
 * lost. A subscriber that throws is logged and skipped; the room and the other subscribers go on.
 */
import type { Logger } from '../log.ts';

/**
 * Who made a change: `peer` an editing connection (WebSocket or HTTP session), `server` the
 * server itself (`room.applyServerEdit`: repairs, the shapes API, restores), `replica` another
 * instance (scale-out), already committed there.
 */
export type ChangeSource = 'peer' | 'server' | 'replica';

export interface ShapesChange {
  /** Ids of the shapes whose entry or fields changed (added, changed or removed). */
  ids: ReadonlySet<string>;
  source: ChangeSource;
  /** The `origin` given to `applyServerEdit` (source `server`); undefined otherwise. */
  origin: unknown;
}

export interface RoomSubscriber {
  /** Shapes changed; read them from the room (`room.readShape`, `room.readShapes`). */
  shapesChanged?(change: ShapesChange): void;
  /** The room is unloading (idle, evicted or shutting down): release what depends on it. */
  roomClosed?(): void;
  /** These ids of the board stopped working (a link reset, or the board deleted). */
  idsRevoked?(ids: readonly string[]): void;
}

export type Unsubscribe = () => void;

/** The subscribers of one room. */
export class RoomEvents {
  private readonly subscribers = new Set<RoomSubscriber>();

  constructor(
    private readonly log: Logger,
    private readonly editId: string,
  ) {}

  subscribe(subscriber: RoomSubscriber): Unsubscribe {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  shapesChanged(change: ShapesChange): void {
    for (const subscriber of [...this.subscribers])
      this.call(() => subscriber.shapesChanged?.(change));
  }

  idsRevoked(ids: readonly string[]): void {
    for (const subscriber of [...this.subscribers]) this.call(() => subscriber.idsRevoked?.(ids));
  }

  roomClosed(): void {
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) this.call(() => subscriber.roomClosed?.());
  }

  private call(notify: () => void): void {
    try {
      notify();
    } catch (error) {
      this.log.error({ board: this.editId, err: error }, 'room subscriber failed');
    }
  }
}
