/**
 * The decoded structs of updates a room has accepted but not applied yet (queued for the next
 * commit, or being committed), indexed by client and clock. The update gate looks there for what
 * a new update builds on, with one binary search, so a fast writer whose every update builds on
 * the previous one costs no re-decoding. The room rebuilds it from what is still queued after
 * each commit, so it never outgrows the queue.
 */
import { findStruct, type DecodedStruct, type DecodedUpdate } from './update-decoder.ts';

export class QueuedStructs<M> {
  private readonly byClient = new Map<number, DecodedStruct<M>[]>();

  add(update: DecodedUpdate<M>): void {
    for (const [client, structs] of update.clients) {
      const list = this.byClient.get(client);
      if (!list) this.byClient.set(client, [...structs]);
      else for (const struct of structs) insertInClockOrder(list, struct);
    }
  }

  find(client: number, clock: number): DecodedStruct<M> | null {
    const list = this.byClient.get(client);
    return list ? findStruct(list, clock) : null;
  }

  /** The state (next clock) of `client` once the queued structs that follow on from `from` apply. */
  coverageFrom(client: number, from: number): number {
    const list = this.byClient.get(client);
    let state = from;
    for (;;) {
      const struct = list ? findStruct(list, state) : null;
      if (!struct || struct.content === 'skip') return state;
      state = struct.clock + struct.length;
    }
  }

  clear(): void {
    this.byClient.clear();
  }
}

/** Appends, or (rarely: a resent older range) inserts where the clock order needs it. */
function insertInClockOrder<M>(list: DecodedStruct<M>[], struct: DecodedStruct<M>): void {
  let at = list.length;
  while (at > 0 && (list[at - 1] as DecodedStruct<M>).clock > struct.clock) at--;
  list.splice(at, 0, struct);
}
