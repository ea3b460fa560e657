/**
 * A shape someone was still drawing when their connection ended (issue 12: "an abandoned
 * gesture … a lost connection, leaves nothing behind"). The editor marks a shape being drawn
 * with its Yjs client id (DRAWING_FIELD, common/board/board-doc.ts) and removes the mark with
 * the gesture's last write; its awareness client id is the same number. When a connection
 * leaves, the shapes still marked with one of the client ids it introduced are removed with a
 * server edit (stored and relayed like any other). The drawer's editor, if it is still open,
 * cancels the gesture itself when the connection drops, so both sides agree.
 */
import type * as Y from 'yjs';
import { removeShapes, shapesDrawnBy } from '../../common/board/board-doc.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ServerEditResult } from './commit-queue.ts';
import type { ServerEdit } from './server-draft.ts';

/** The origin of these removals, as room subscribers see it. */
export const ABANDONED_DRAWING_ORIGIN = 'abandoned-drawing';

export interface AbandonedDrawingDeps {
  doc: Y.Doc;
  applyServerEdit(edit: ServerEdit, origin: unknown): Promise<ServerEditResult>;
  log: Logger;
  metrics: Metrics;
  boardKey: string;
}

export function removeAbandonedDrawings(
  deps: AbandonedDrawingDeps,
  clientIds: ReadonlySet<number>,
): void {
  if (clientIds.size === 0 || shapesDrawnBy(deps.doc, clientIds).length === 0) return;
  let removed: string[] = [];
  const edit: ServerEdit = (doc) => {
    removed = shapesDrawnBy(doc, clientIds); // as the board is when the edit runs
    removeShapes(doc, removed);
  };
  deps.applyServerEdit(edit, ABANDONED_DRAWING_ORIGIN).then(
    () => {
      if (removed.length === 0) return;
      deps.metrics.repairs.inc({ action: 'abandoned_drawing' }, removed.length);
      deps.log.info({ board: deps.boardKey, shapes: removed }, 'abandoned drawing removed');
    },
    (error: unknown) =>
      deps.log.warn({ board: deps.boardKey, err: error }, 'abandoned drawing not removed'),
  );
}
