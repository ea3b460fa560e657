/**
 * Handles of a selected line or arrow (in place of the resize box, which would stretch it): one
 * on each end, to move that end (and bind it to the shape it is dropped on, or unbind it), and
 * one in the middle, to bend it (one extra point). Shown when the selection is exactly one line
 * or arrow; kept on its drawn ends as it, its bound shapes or the zoom change. The select tool
 * starts a `LineHandleGesture` when a press lands on one.
 */
import Konva from 'konva';
import type { Shape, ShapeFields } from '../../common/board/shape.ts';
import {
  boardToLocal,
  localToBoard,
  resolveBoundShape,
  type Point,
} from '../../common/render/line-ends.ts';
import { pointPairs } from '../../common/render/shape-geometry.ts';
import { BindingTarget } from './binding-target.ts';
import type { EditorContext } from './editor-context.ts';
import { FrameThrottle } from './frame-throttle.ts';
import type { ToolPointer } from './tools/tool.ts';

export const LINE_HANDLE_NAME = 'line-handle';
export type LineHandleKind = 'start' | 'end' | 'middle';
const KIND_ATTR = 'handleKind';
const ACCENT = '#4c6ef5';
const RADIUS_PX = 6;
const HIT_WIDTH_PX = 12;
/** A press that moves less than this (screen px) is a click. */
const CLICK_DISTANCE_PX = 3;

/** The selection's one line or arrow, or null. */
export function selectedLine(editor: EditorContext): Shape | null {
  const { selection, model, textEditor } = editor;
  if (selection.size !== 1) return null;
  const shape = model.get(selection.current[0] ?? '');
  if (!shape || (shape.type !== 'line' && shape.type !== 'arrow')) return null;
  return shape.id === textEditor.editingId ? null : shape;
}

/** The line as drawn (bound ends placed). */
function drawnLine(editor: EditorContext, line: Shape): Shape {
  return resolveBoundShape(line, (id) => editor.model.get(id));
}

/** The index (in pairs) of the point the middle handle moves on a line of `count` points. */
function middleIndex(count: number): number {
  return Math.floor(count / 2);
}

/** Board positions of the handles of `drawn` (a line as drawn). */
function handlePositions(drawn: Shape): Record<LineHandleKind, Point> {
  const pairs = pointPairs(drawn.points).map(([x, y]) => localToBoard(drawn, { x, y }));
  const first = pairs[0] as Point;
  const last = pairs[pairs.length - 1] as Point;
  const middle =
    pairs.length === 2
      ? { x: (first.x + last.x) / 2, y: (first.y + last.y) / 2 }
      : (pairs[middleIndex(pairs.length)] as Point);
  return { start: first, end: last, middle };
}

/** The handle a Konva node is, or null. */
export function lineHandleKind(node: Konva.Node | null): LineHandleKind | null {
  return node?.hasName(LINE_HANDLE_NAME) ? (node.getAttr(KIND_ATTR) as LineHandleKind) : null;
}

export class LineHandles {
  private readonly group = new Konva.Group({ name: 'line-handles' });

  constructor(private readonly editor: EditorContext) {
    editor.canvas.overlay.add(this.group);
    const refresh = () => this.refresh();
    editor.selection.onChange(refresh);
    editor.model.onChange(refresh);
    editor.viewport.onChange(refresh);
    editor.textEditor.onOpenChange(refresh);
  }

  refresh(): void {
    this.group.destroyChildren();
    const line = selectedLine(this.editor);
    if (line) {
      const zoom = this.editor.viewport.zoom;
      const positions = handlePositions(drawnLine(this.editor, line));
      for (const kind of ['start', 'end', 'middle'] as const) {
        const at = positions[kind];
        this.group.add(
          new Konva.Circle({
            name: LINE_HANDLE_NAME,
            [KIND_ATTR]: kind,
            x: at.x,
            y: at.y,
            radius: (kind === 'middle' ? RADIUS_PX * 0.8 : RADIUS_PX) / zoom,
            fill: kind === 'middle' ? ACCENT : '#ffffff',
            stroke: ACCENT,
            strokeWidth: 1.5 / zoom,
            hitStrokeWidth: HIT_WIDTH_PX / zoom,
            opacity: kind === 'middle' ? 0.7 : 1,
          }),
        );
      }
    }
    this.editor.canvas.overlay.batchDraw();
  }
}

/**
 * Dragging a handle: an end follows the pointer and binds to the shape under it (Alt or Ctrl:
 * unbound); the middle handle bends the line (its middle point, added for a straight line).
 * One document update per frame, one undo step per drag; the stored points are where the ends
 * are drawn.
 */
export class LineHandleGesture {
  private readonly throttle = new FrameThrottle();
  private readonly binding: BindingTarget;
  private moved = false;

  constructor(
    private readonly editor: EditorContext,
    private readonly lineId: string,
    private readonly kind: LineHandleKind,
    /** Where the press was, on screen: a click (as in a double-click) changes nothing. */
    private readonly pressedAt: Point,
  ) {
    this.binding = new BindingTarget(editor);
  }

  move(pointer: ToolPointer): void {
    const line = this.editor.model.get(this.lineId);
    if (!line) return;
    if (!this.moved) {
      const distance = Math.hypot(
        pointer.screen.x - this.pressedAt.x,
        pointer.screen.y - this.pressedAt.y,
      );
      if (distance < CLICK_DISTANCE_PX) return;
      this.moved = true;
      this.editor.history.beginStep();
    }
    const fields = this.kind === 'middle' ? this.bend(line, pointer) : this.moveEnd(line, pointer);
    this.throttle.schedule(() => this.editor.model.update(new Map([[this.lineId, fields]])));
  }

  end(): void {
    this.throttle.flush();
    this.binding.clear();
  }

  private moveEnd(line: Shape, pointer: ToolPointer): Partial<ShapeFields> {
    const points = [...drawnLine(this.editor, line).points];
    const local = boardToLocal(line, pointer.board);
    const index = this.kind === 'start' ? 0 : points.length - 2;
    points[index] = local.x;
    points[index + 1] = local.y;
    const target = this.binding.at(line, pointer);
    const field = this.kind === 'start' ? 'startId' : 'endId';
    const moved: Shape = { ...line, points, [field]: target?.id ?? '' };
    const placed = drawnLine(this.editor, moved).points.map(tidy);
    return { points: placed, [field]: target?.id ?? '' };
  }

  private bend(line: Shape, pointer: ToolPointer): Partial<ShapeFields> {
    const points = [...drawnLine(this.editor, line).points];
    const local = boardToLocal(line, pointer.board);
    const bendAt = pointPairs(points).length === 2 ? null : middleIndex(points.length / 2);
    if (bendAt === null) points.splice(2, 0, local.x, local.y);
    else {
      points[bendAt * 2] = local.x;
      points[bendAt * 2 + 1] = local.y;
    }
    // The bend changes which way bound ends face: place them again.
    return { points: drawnLine(this.editor, { ...line, points }).points.map(tidy) };
  }
}

function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}
