/**
 * A shape someone was still drawing when their connection ended (issue 12: "an abandoned
 * gesture … a lost connection, leaves nothing behind"). The editor marks a shape being drawn
 * with its Yjs client id (DRAWING_FIELD, common/board/board-doc.ts) and removes the mark with
 * the gesture's last write; its awareness client id is the same number. When a connection
 * leaves, the shapes still marked with one of the client ids it introduced are removed with a
 * server edit (stored and relayed like any other) after ABANDONED_DRAWING_GRACE_MS, unless that
 * client id is present again by then (the editor moved between WebSocket and HTTP, or came back
 * at once, and is still drawing). The drawer's editor, if it is still open, cancels the gesture
 * itself when its connection is lost for real, so both sides agree.
 */
import type * as Y from 'yjs';
import { removeShapes, shapesDrawnBy } from '../../common/board/board-doc.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ServerEditResult } from './commit-queue.ts';
import type { ServerEdit } from './server-draft.ts';

/** The origin of these removals, as room subscribers see it. */
export const ABANDONED_DRAWING_ORIGIN = 'abandoned-drawing';
/** How long a drawer who left has to come back before their unfinished shapes go. */
export const ABANDONED_DRAWING_GRACE_MS = 3_000;

export interface AbandonedDrawingDeps {
  doc: Y.Doc;
  applyServerEdit(edit: ServerEdit, origin: unknown): Promise<ServerEditResult>;
  /** Whether a connection (here or on another instance) has this client id now. */
  isPresent(clientId: number): boolean;
  log: Logger;
  metrics: Metrics;
  boardKey: string;
  graceMs?: number;
}

export class AbandonedDrawings {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: AbandonedDrawingDeps) {}

  /** A connection that introduced `clientIds` left. */
  peerLeft(clientIds: ReadonlySet<number>): void {
    if (clientIds.size === 0 || shapesDrawnBy(this.deps.doc, clientIds).length === 0) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const gone = new Set([...clientIds].filter((id) => !this.deps.isPresent(id)));
      if (gone.size > 0) this.remove(gone);
    }, this.deps.graceMs ?? ABANDONED_DRAWING_GRACE_MS);
    timer.unref();
    this.timers.add(timer);
  }

  destroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private remove(clientIds: ReadonlySet<number>): void {
    if (shapesDrawnBy(this.deps.doc, clientIds).length === 0) return;
    let removed: string[] = [];
    const edit: ServerEdit = (doc) => {
      removed = shapesDrawnBy(doc, clientIds); // as the board is when the edit runs
      removeShapes(doc, removed);
    };
    const { log, metrics, boardKey } = this.deps;
    this.deps.applyServerEdit(edit, ABANDONED_DRAWING_ORIGIN).then(
      () => {
        if (removed.length === 0) return;
        metrics.repairs.inc({ action: 'abandoned_drawing' }, removed.length);
        log.info({ board: boardKey, shapes: removed }, 'abandoned drawing removed');
      },
      (error: unknown) =>
        log.warn({ board: boardKey, err: error }, 'abandoned drawing not removed'),
    );
  }
}
