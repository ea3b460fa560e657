/**
 * What a transport (SSE or long poll) reports to the viewer. Statuses:
 * - `connecting`: no board yet;
 * - `live`: connected and up to date;
 * - `behind`: connected, but a step was lost and a fresh snapshot is on its way;
 * - `reconnecting`: the connection failed; retrying with the version held;
 * - `not-found`: the board does not exist (or the link is wrong); nothing more to do.
 */
import type { Shape } from '../../common/board/shape.ts';

export type FeedStatus = 'connecting' | 'live' | 'behind' | 'reconnecting' | 'not-found';

/** The SSE event names the server sends (contract: "Snapshots and the viewer transports"). */
export { FEED_EVENTS } from '../../common/board/snapshot.ts';

export interface TransportEvents {
  replace(shapes: readonly Shape[]): void;
  patch(upsert: readonly Shape[], remove: readonly string[]): void;
  status(status: FeedStatus): void;
}

export interface Transport {
  start(): void;
  stop(): void;
}

/** Retry delays: 0.5 s doubling to 10 s, with jitter so many embeds do not return at once. */
export function backoffMs(failures: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, failures - 1));
  return base / 2 + Math.random() * (base / 2);
}

export type BoardProbe = 'missing' | 'reachable' | 'unreachable';

/**
 * Asks the plain snapshot route whether the board is there: `missing` (404/400: the link is
 * wrong, retrying is pointless), `reachable` (so a failing stream is the stream's problem, e.g. a
 * buffering proxy) or `unreachable` (server or network down: just retry).
 */
export async function probeBoard(snapshotUrl: string): Promise<BoardProbe> {
  try {
    const response = await fetch(snapshotUrl, { method: 'HEAD', cache: 'no-store' });
    if (response.status === 404 || response.status === 400) return 'missing';
    return response.ok ? 'reachable' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}
