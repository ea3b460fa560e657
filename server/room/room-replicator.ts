/**
 * How a room shares its board with the other instances (scale-out, docs/scaling.md). The room
 * publishes what it accepted; the registry subscribes before a board loads and unsubscribes
 * when it unloads. Only committed updates are ever published, so another instance applies and
 * relays them without storing them again. Without REDIS_URL there is no replicator at all.
 */
export interface ReplicaHandlers {
  /** A committed update from another instance. */
  update(update: Uint8Array): void;
  /** A presence (awareness) frame from another instance's peers. */
  presence(frame: Uint8Array): void;
  /** Another instance just loaded the board: publish the presence of this instance's peers. */
  presenceQuery(): void;
  /**
   * Messages may have been missed (the link came back, or another instance could not publish),
   * or the board's ids changed: catch up from storage, which holds everything that was ever
   * published and the board's current ids.
   */
  resync(): void;
}

export interface RoomReplicator {
  /** Resolves once messages for the board (by its internal key) are being received. */
  subscribe(key: string, handlers: ReplicaHandlers): Promise<void>;
  unsubscribe(key: string): void;
  /** Fire and forget; a failure makes the other instances resync once the link is back. */
  publishUpdate(key: string, update: Uint8Array): void;
  publishPresence(key: string, frame: Uint8Array): void;
  /** Asks the other instances for their peers' presence (a board just loaded here). */
  queryPresence(key: string): void;
  /**
   * One of the board's ids was reset, or the board deleted: the other instances that have it
   * loaded re-read its ids (their `resync`), and close what used the old ones.
   */
  announceChange(key: string): void;
}
