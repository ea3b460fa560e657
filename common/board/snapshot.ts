/**
 * Snapshot and patch formats (contract: "Snapshots and the viewer transports"). Plain data, no
 * Yjs, so the viewer bundle can use it. A snapshot holds only valid shapes, in paint order; `id`
 * is the id it was asked by (a view id never reveals the edit id). `version` is opaque.
 */
import { comparePaintOrder, type Shape } from './shape.ts';

export interface Snapshot {
  id: string;
  version: string;
  shapes: Shape[];
}

/** What changed from `base` to `version`: shapes added or changed, and ids removed. */
export interface Patch {
  version: string;
  base: string;
  upsert: Shape[];
  remove: string[];
}

/**
 * SSE event names, spelled once for the server and the viewer. `expired`: JWT mode only.
 * `gone`: the link the stream was opened with was reset, or the board deleted; do not reconnect.
 */
export const FEED_EVENTS = {
  SNAPSHOT: 'snapshot',
  PATCH: 'patch',
  EXPIRED: 'expired',
  GONE: 'gone',
} as const;

/** What the server says, in a 404 or a `gone` event, about a link that stopped working. */
export const GONE_MESSAGE = 'this link was reset or the board deleted';
/** What the editor and the viewer show then (after a 4404, `gone`, or that 404). */
export const GONE_TEXT = 'This link was reset or the board deleted';
export type FeedEventName = typeof FEED_EVENTS.SNAPSHOT | typeof FEED_EVENTS.PATCH;

/** Applies a patch to a shape table keyed by id. */
export function applyPatch(shapes: Map<string, Shape>, patch: Patch): void {
  for (const id of patch.remove) shapes.delete(id);
  for (const shape of patch.upsert) shapes.set(shape.id, shape);
}

/** The table's shapes in paint order. */
export function inPaintOrder(shapes: Iterable<Shape>): Shape[] {
  return [...shapes].sort(comparePaintOrder);
}
