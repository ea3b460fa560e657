/**
 * Select: click selects (shift-click adds or removes), dragging a shape moves the selection
 * (one document update per frame, one undo step per drag), dragging on empty canvas draws a
 * marquee. Resize and rotate belong to the transformer, whose handles this tool leaves alone.
 * A press on a selected line's handle moves that end or bends it (line-handles.ts). Moving a
 * line or arrow without the shape an end is bound to unbinds that end, as in Excalidraw.
 */
import Konva from 'konva';
import type { ShapeFields } from '../../../common/board/shape.ts';
import { boundsIntersect, shapeInkBounds } from '../../../common/render/shape-geometry.ts';
import { resolveBoundShape } from '../../../common/render/line-ends.ts';
import { shapeIdOfNode } from '../../render/shape-node.ts';
import { LineHandleGesture, lineHandleKind, selectedLine } from '../line-handles.ts';
import type { EditorContext } from '../editor-context.ts';
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
    const { selection } = this.editor;
    if (!id) {
      if (!pointer.shiftKey) selection.clear();
      this.gesture = new MarqueeGesture(this.editor, pointer.board, selection.current);
      return;
    }
    if (pointer.shiftKey && selection.has(id)) {
      selection.toggle(id);
      return;
    }
    if (pointer.shiftKey) selection.add([id]);
    else if (!selection.has(id)) selection.set([id]);
    this.gesture = new MoveGesture(this.editor, pointer.board);
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
  private moved = false;

  constructor(
    private readonly editor: EditorContext,
    private readonly origin: Point,
  ) {
    const selected = new Set(editor.selection.current);
    const lookup = (id: string) => editor.model.get(id);
    for (const shape of editor.model.pick(selected)) {
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
  }

  move({ board }: ToolPointer): void {
    const dx = board.x - this.origin.x;
    const dy = board.y - this.origin.y;
    if (!this.moved) {
      if (Math.hypot(dx, dy) * this.editor.viewport.zoom < 2) return;
      this.moved = true;
      this.editor.history.beginStep();
    }
    this.throttle.schedule(() => {
      const changes = new Map<string, Partial<ShapeFields>>();
      for (const [id, start] of this.starts) {
        changes.set(id, { ...this.unbind.get(id), x: start.x + dx, y: start.y + dy });
      }
      this.editor.model.update(changes);
    });
  }

  end(): void {
    this.throttle.flush();
  }
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
    const touched = this.editor.model
      .all()
      .filter((shape) => boundsIntersect(shapeInkBounds(shape), box))
      .map((shape) => shape.id);
    this.editor.selection.set([...this.base, ...touched]);
  }

  end(): void {
    const layer = this.rect.getLayer();
    this.rect.destroy();
    layer?.batchDraw();
  }
}
