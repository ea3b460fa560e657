/**
 * Keeps a room's board valid (contract: "A valid edit with a bad value … accepted into the
 * document, and the server at once repairs the board with its own edit"). After every write this
 * instance applied (a peer's, or a server edit other than a repair) and once at load, the shapes
 * it touched are read from the board as it now is and, where a field is bad, repaired with a
 * server edit (room.applyServerEdit: stored, then relayed like any update) by the rules in
 * common/board/repair.ts.
 *
 * A shape whose required fields are missing may be one a slow client is still writing a field
 * at a time, so it is left alone for INCOMPLETE_SHAPE_GRACE_MS and deleted only if it is still
 * incomplete then. The instance that applied a write is the one that repairs it; a repair is
 * computed from the board, not from the write, so two instances that repair one shape make the
 * same edit and converge, and a repaired shape needs no repair (nothing loops).
 */
import type * as Y from 'yjs';
import {
  getShapesMap,
  readStoredFields,
  repairShapes,
  type RepairReport,
} from '../../common/board/board-doc.ts';
import { planShapeRepair } from '../../common/board/repair.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ServerEditResult } from './commit-queue.ts';
import type { ServerEdit } from './server-draft.ts';

/** The origin of repair edits, as room subscribers see it (ShapesChange.origin). */
export const REPAIR_ORIGIN = 'repair';
export const DEFAULT_INCOMPLETE_SHAPE_GRACE_MS = 10_000;

export interface ShapeRepairsDeps {
  /** The room's document: read here, never written. */
  doc: Y.Doc;
  applyServerEdit(edit: ServerEdit, origin: unknown): Promise<ServerEditResult>;
  log: Logger;
  metrics: Metrics;
  /** The board's internal key, for logs (its ids may be reset). */
  boardKey: string;
  incompleteGraceMs: number;
}

export class ShapeRepairs {
  /** Incomplete shapes, with when they are deleted unless they become valid. */
  private readonly incomplete = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private destroyed = false;

  constructor(private readonly deps: ShapeRepairsDeps) {}

  /** Every shape on the board (at load). */
  checkAll(): void {
    this.check([...getShapesMap(this.deps.doc).keys()]);
  }

  /** Shapes a write just changed: bad values are repaired now, incomplete shapes after the grace. */
  check(ids: Iterable<string>): void {
    if (this.destroyed) return;
    const now: string[] = [];
    for (const id of ids) {
      const stored = readStoredFields(this.deps.doc, id);
      const plan = stored && planShapeRepair(stored);
      if (!plan || plan.outcome !== 'incomplete') this.incomplete.delete(id);
      else if (!this.incomplete.has(id))
        this.incomplete.set(id, Date.now() + this.deps.incompleteGraceMs);
      if (plan && (plan.outcome === 'unrepairable' || plan.edits.length > 0)) now.push(id);
    }
    if (now.length > 0) this.repair(now, false);
    this.armTimer();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.incomplete.clear();
  }

  /** Repairs `ids` as the board is when the edit runs (after every write queued before it). */
  private repair(ids: string[], deleteIncomplete: boolean): void {
    let report: RepairReport | null = null;
    const edit: ServerEdit = (doc) => {
      report = repairShapes(doc, ids, { deleteIncomplete });
    };
    this.deps.applyServerEdit(edit, REPAIR_ORIGIN).then(
      () => report && this.record(report),
      (error: unknown) =>
        this.deps.log.warn(
          { board: this.deps.boardKey, shapes: ids.length, err: error },
          'shape repair not applied',
        ),
    );
  }

  private record(report: RepairReport): void {
    for (const [shape, fields] of report.fields) {
      this.deps.metrics.repairs.inc({ action: 'field' }, fields.length);
      this.deps.log.info({ board: this.deps.boardKey, shape, fields }, 'shape repaired');
    }
    for (const shape of report.deleted) {
      this.deps.metrics.repairs.inc({ action: 'shape_deleted' });
      this.deps.log.info({ board: this.deps.boardKey, shape }, 'invalid shape deleted');
    }
  }

  private armTimer(): void {
    if (this.timer || this.destroyed || this.incomplete.size === 0) return;
    let next = Infinity;
    for (const at of this.incomplete.values()) next = Math.min(next, at);
    this.timer = setTimeout(() => this.expire(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = null;
    const now = Date.now();
    const due = [...this.incomplete].filter(([, at]) => at <= now).map(([id]) => id);
    for (const id of due) this.incomplete.delete(id);
    if (due.length > 0) this.repair(due, true);
    this.armTimer();
  }
}
