/**
 * What a transport (SSE or long poll) reports to the viewer. Statuses:
 * - `connecting`: no board yet;
 * - `live`: connected and up to date;
 * - `behind`: connected, but a step was lost and a fresh snapshot is on its way;
 * - `reconnecting`: the connection failed; retrying with the version held;
 * - `not-found`: the board does not exist (or the link is wrong); nothing more to do.
 * - `gone`: the link was reset or the board deleted (SSE `event: gone`, or a 404 saying so);
 *   nothing more to do.
 */
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import type { Shape } from '../../common/board/shape.ts';

export type FeedStatus = 'connecting' | 'live' | 'behind' | 'reconnecting' | 'not-found' | 'gone';

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

export type BoardProbe = 'missing' | 'gone' | 'reachable' | 'unreachable';

/** A 404 body that says the link was reset or the board deleted (rather than never existed). */
export async function isGoneAnswer(response: Response): Promise<boolean> {
  if (response.status !== 404) return false;
  const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
  return body?.error === GONE_MESSAGE;
}

/**
 * Asks the plain snapshot route whether the board is there: `missing` (404/400: the link is
 * wrong, retrying is pointless), `gone` (a 404 saying the link was reset or the board deleted),
 * `reachable` (so a failing stream is the stream's problem, e.g. a buffering proxy) or
 * `unreachable` (server or network down: just retry). A 404 is asked again with GET, which says
 * why (a HEAD answer has no body); a board that is there costs only the HEAD.
 */
export async function probeBoard(snapshotUrl: string): Promise<BoardProbe> {
  try {
    const response = await fetch(snapshotUrl, { method: 'HEAD', cache: 'no-store' });
    if (response.status === 404) {
      const again = await fetch(snapshotUrl, { cache: 'no-store' });
      return (await isGoneAnswer(again)) ? 'gone' : 'missing';
    }
    if (response.status === 400) return 'missing';
    return response.ok ? 'reachable' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}
