/**
 * The board as the viewer knows it: shapes by id and the version they are at. Applies
 * snapshots, and patches only when they start from the version held (anything else means a
 * step was lost, and the caller asks for a fresh snapshot).
 */
import type { Shape } from '../../common/board/shape.ts';
import { applyPatch, type Patch, type Snapshot } from '../../common/board/snapshot.ts';

export class BoardState {
  readonly shapes = new Map<string, Shape>();
  version: string | null = null;

  applySnapshot(snapshot: Snapshot): void {
    this.shapes.clear();
    for (const shape of snapshot.shapes) this.shapes.set(shape.id, shape);
    this.version = snapshot.version;
  }

  /** False (and nothing applied) when the patch does not start where this board is. */
  applyPatch(patch: Patch): boolean {
    if (patch.base !== this.version) return false;
    applyPatch(this.shapes, patch);
    this.version = patch.version;
    return true;
  }
}

/** Tells a snapshot from a patch in a long-poll answer, checking the fields used. */
export function parseFeedMessage(value: unknown): { snapshot: Snapshot } | { patch: Patch } | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Partial<Snapshot & Patch>;
  if (typeof message.version !== 'string') return null;
  if (Array.isArray(message.shapes)) return { snapshot: message as Snapshot };
  if (
    typeof message.base === 'string' &&
    Array.isArray(message.upsert) &&
    Array.isArray(message.remove)
  ) {
    return { patch: message as Patch };
  }
  return null;
}
