/**
 * Select: click selects (shift-click adds or removes), dragging a shape moves the selection
 * (one document update per frame, one undo step per drag), dragging on empty canvas draws a
 * marquee. Resize and rotate belong to the transformer, whose handles this tool leaves alone.
 * A press on a selected line's handle moves that end or bends it (line-handles.ts). Moving a
 * line or arrow without the shape an end is bound to unbinds that end, as in Excalidraw.
 * Groups and locks (groups.ts): a click selects a shape's whole group, locked shapes are passed
 * over. Moving snaps the selection's edges and centres to other shapes' (snap-guides.ts);
 * Alt held at the press drags copies and leaves the originals (alt-drag duplicate).
 */
import Konva from 'konva';
import type { ShapeFields } from '../../../common/board/shape.ts';
import { resolveBoundShape } from '../../../common/render/line-ends.ts';
import { shapeIdOfNode } from '../../render/shape-node.ts';
import { LineHandleGesture, lineHandleKind, selectedLine } from '../line-handles.ts';
import { layoutBox, unionBox } from '../arrange.ts';
import { Commands } from '../commands.ts';
import type { EditorContext } from '../editor-context.ts';
import { clickUnit, withGroups } from '../groups.ts';
import { SNAP_THRESHOLD_PX, SnapGuides, isSnapEnabled, snapTargets } from '../snap-guides.ts';
import { snapBox, type Box } from '../snapping.ts';
import { FrameThrottle } from '../frame-throttle.ts';
import type { Point } from '../viewport.ts';
import type { Tool, ToolPointer } from './tool.ts';

interface Gesture {
  move(pointer: ToolPointer): void;
  end(): void;
}

export class SelectTool implements Tool {
  readonly cursor = 'default';
  private gesture: Gesture | null = null;

  constructor(private readonly editor: EditorContext) {}

  down(pointer: ToolPointer): void {
    const hit = this.editor.canvas.hitTest(pointer.screen);
    if (hit && isTransformerPart(hit)) return;
    const handle = lineHandleKind(hit);
    const line = selectedLine(this.editor);
    if (handle && line) {
      this.gesture = new LineHandleGesture(this.editor, line.id, handle, pointer.screen);
      return;
    }
    const id = shapeIdOfNode(hit);
    const shape = id ? this.editor.model.get(id) : undefined;
    const { selection } = this.editor;
    // A locked shape is not selectable: a press on it is a press on the canvas.
    if (!shape || shape.locked) {
      if (!pointer.shiftKey) selection.clear();
      this.gesture = new MarqueeGesture(this.editor, pointer.board, selection.current);
      return;
    }
    if (shape.groupId !== selection.enteredGroup) selection.enteredGroup = null;
    const unit = clickUnit(this.editor, shape);
    if (pointer.shiftKey && unit.every((member) => selection.has(member))) {
      selection.set(selection.current.filter((member) => !unit.includes(member)));
      return;
    }
    if (pointer.shiftKey) selection.add(unit);
    else if (!selection.has(shape.id)) selection.set(unit);
    this.gesture = new MoveGesture(this.editor, pointer.board, pointer.altKey);
  }

  move(pointer: ToolPointer): void {
    this.gesture?.move(pointer);
  }

  up(): void {
    this.gesture?.end();
    this.gesture = null;
  }

  cancel(): void {
    this.up();
  }
}

function isTransformerPart(node: Konva.Node): boolean {
  return node.findAncestor((parent: Konva.Node) => parent instanceof Konva.Transformer) != null;
}

/**
 * Moves the selected shapes with the pointer. A line whose bound shape stays behind lets go of
 * it: its points become where it is drawn, and that end's binding is cleared.
 */
class MoveGesture implements Gesture {
  private readonly starts = new Map<string, Point>();
  private readonly unbind = new Map<string, Partial<ShapeFields>>();
  private readonly throttle = new FrameThrottle();
  private readonly guides: SnapGuides;
  private moved = false;
  /** The moving shapes' box at the start, and what it may snap to (set on the first move). */
  private snapping: { box: Box; targets: Box[] } | null = null;

  constructor(
    private readonly editor: EditorContext,
    private readonly origin: Point,
    /** Alt held at the press: the drag moves copies and leaves the originals (alt-drag). */
    private readonly duplicate: boolean,
  ) {
    this.guides = new SnapGuides(editor);
  }

  /** Remembers where the selection starts (after copying it, for an alt-drag). */
  private begin(): void {
    const { editor } = this;
    editor.history.beginStep();
    if (this.duplicate) {
      // One undo step for the copies and their move (insertCopies opened it).
      new Commands(editor).insertCopies(editor.model.pick(editor.selection.current), 0, 0);
    }
    const selected = new Set(editor.selection.current);
    const lookup = (id: string) => editor.model.get(id);
    const shapes = editor.model.pick(selected);
    for (const shape of shapes) {
      this.starts.set(shape.id, { x: shape.x, y: shape.y });
      const keepStart = shape.startId !== undefined && selected.has(shape.startId);
      const keepEnd = shape.endId !== undefined && selected.has(shape.endId);
      if ((shape.startId && !keepStart) || (shape.endId && !keepEnd)) {
        this.unbind.set(shape.id, {
          points: resolveBoundShape(shape, lookup).points,
          ...(keepStart ? {} : { startId: '' }),
          ...(keepEnd ? {} : { endId: '' }),
        });
      }
    }
    if (shapes.length > 0) {
      const box = unionBox(shapes.map(layoutBox));
      this.snapping = { box, targets: snapTargets(editor, selected, box) };
    }
  }

  move(pointer: ToolPointer): void {
    const { board } = pointer;
    let dx = board.x - this.origin.x;
    let dy = board.y - this.origin.y;
    if (!this.moved) {
      if (Math.hypot(dx, dy) * this.editor.viewport.zoom < 2) return;
      this.moved = true;
      this.begin();
    }
    [dx, dy] = this.snap(dx, dy, pointer);
    this.throttle.schedule(() => {
      const changes = new Map<string, Partial<ShapeFields>>();
      for (const [id, start] of this.starts) {
        changes.set(id, {
          ...this.unbind.get(id),
          x: tidy(start.x + dx),
          y: tidy(start.y + dy),
        });
      }
      this.editor.model.update(changes);
    });
  }

  /**
   * The move adjusted so an edge or centre of the selection lands on another shape's, with the
   * guides shown; unchanged with Ctrl/Cmd, with Alt pressed during a plain drag, or with
   * snapping turned off.
   */
  private snap(dx: number, dy: number, pointer: ToolPointer): [number, number] {
    const off = pointer.ctrlKey || (pointer.altKey && !this.duplicate) || !isSnapEnabled();
    if (!this.snapping || off) {
      this.guides.clear();
      return [dx, dy];
    }
    const { box, targets } = this.snapping;
    const moved = { ...box, x: box.x + dx, y: box.y + dy };
    const threshold = SNAP_THRESHOLD_PX / this.editor.viewport.zoom;
    const snapped = snapBox(moved, targets, threshold);
    this.guides.show(snapped.guides);
    return [dx + snapped.dx, dy + snapped.dy];
  }

  end(): void {
    this.throttle.flush();
    this.guides.destroy();
  }
}

/** Hundredths are finer than anyone can see, and keep float noise out of the board. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Selects the shapes a dragged rectangle touches (added to `base` when shift was held). */
class MarqueeGesture implements Gesture {
  private readonly rect: Konva.Rect;
  private readonly base: readonly string[];

  constructor(
    private readonly editor: EditorContext,
    private readonly origin: Point,
    base: readonly string[],
  ) {
    this.base = [...base];
    const zoom = editor.viewport.zoom;
    this.rect = new Konva.Rect({
      ...origin,
      fill: 'rgba(76, 110, 245, 0.08)',
      stroke: '#4c6ef5',
      strokeWidth: 1 / zoom,
      dash: [4 / zoom, 4 / zoom],
      listening: false,
    });
    editor.canvas.overlay.add(this.rect);
  }

  move({ board }: ToolPointer): void {
    const box = {
      x: Math.min(board.x, this.origin.x),
      y: Math.min(board.y, this.origin.y),
      width: Math.abs(board.x - this.origin.x),
      height: Math.abs(board.y - this.origin.y),
    };
    this.rect.setAttrs(box);
    this.rect.getLayer()?.batchDraw();
    const touched = this.editor.canvas.shapes
      .storedShapesIn(box)
      .filter((shape) => !shape.locked)
      .map((shape) => shape.id);
    // Touching one member of a group selects the group; locked shapes are never selected.
    this.editor.selection.enteredGroup = null;
    this.editor.selection.set([...this.base, ...withGroups(this.editor, touched)]);
  }

  end(): void {
    const layer = this.rect.getLayer();
    this.rect.destroy();
    layer?.batchDraw();
  }
}
