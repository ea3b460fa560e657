/**
 * A shape others see while it is drawn (issue 12, "live drawing"): it is written to the board
 * as soon as the gesture makes it, whole and valid (so the server's repairs, which wait
 * INCOMPLETE_SHAPE_GRACE_MS only for shapes missing a field, never touch it), then changed at
 * most once per frame (FrameThrottle) as it grows. The whole gesture is one undo step; an
 * abandoned one (Escape, a tool switch, a lost connection) removes the shape and forgets the
 * step, leaving nothing behind. Meanwhile the shape carries the drawer's mark (DRAWING_FIELD),
 * removed with the last write, so the server removes it too if this tab's connection ends
 * mid-gesture (a closed tab cannot cancel).
 *
 * Big shapes (a long pen stroke rewrites all its points) are paced by size too, so one person
 * drawing never sends more than about LIVE_BYTES_PER_S of shape data a second.
 */
import type { Shape, ShapeFields } from '../../../common/board/shape.ts';
import type { EditorContext } from '../editor-context.ts';
import { FRAME_MIN_INTERVAL_MS, FrameThrottle } from '../frame-throttle.ts';

export const LIVE_BYTES_PER_S = 256 * 1024;
/** Bytes a point number takes in an update, about (a float with its tag). */
const BYTES_PER_NUMBER = 9;

export class LiveShape {
  private id: string | null = null;
  /** The latest fields not yet written (the throttle writes them, or `finish` does). */
  private pending: Partial<ShapeFields> = {};
  private readonly throttle = new FrameThrottle();

  constructor(private readonly editor: EditorContext) {}

  /** The id of the shape being drawn, if any. */
  get shapeId(): string | null {
    return this.id;
  }

  /** Puts `shape` on the board, opening its undo step. */
  start(shape: Shape): void {
    this.abandon();
    this.editor.history.beginStep();
    this.editor.model.addDrawing(shape);
    this.id = shape.id;
  }

  /** The shape's fields now; written on the next frame (only the latest call counts). */
  update(fields: Partial<ShapeFields>): void {
    const id = this.id;
    if (!id) return;
    this.pending = { ...this.pending, ...fields };
    const bytes = (fields.points?.length ?? 0) * BYTES_PER_NUMBER;
    const interval = Math.max(FRAME_MIN_INTERVAL_MS, (bytes / LIVE_BYTES_PER_S) * 1000);
    this.throttle.schedule(() => this.write(id), interval);
  }

  /** Writes what is pending with the end of the gesture; the shape stays. Returns its id. */
  finish(): string | null {
    this.throttle.cancel();
    const id = this.id;
    const fields = this.pending;
    this.id = null;
    this.pending = {};
    if (!id || !this.editor.model.has(id)) return null; // someone deleted it meanwhile
    this.editor.model.finishDrawing(id, fields);
    return id;
  }

  /** Takes the shape back off the board, with its undo step. */
  abandon(): void {
    this.throttle.cancel();
    this.pending = {};
    const id = this.id;
    this.id = null;
    if (!id) return;
    this.editor.model.remove([id]);
    this.editor.history.discardStep();
  }

  private write(id: string): void {
    const fields = this.pending;
    this.pending = {};
    this.editor.model.update(new Map([[id, fields]]), { live: true });
  }
}
