/**
 * Which shape an end of a line or arrow binds to while it is drawn or dragged, and its
 * highlight: the topmost rect, ellipse, sticky, text or image under the pointer (a few screen
 * pixels of slack), outlined on the overlay. Alt or Ctrl/Cmd held means "leave it unbound".
 */
import Konva from 'konva';
import type { Shape } from '../../common/board/shape.ts';
import { bindingTargetAt } from '../../common/render/line-ends.ts';
import type { EditorContext } from './editor-context.ts';
import type { ToolPointer } from './tools/tool.ts';

const ACCENT = '#4c6ef5';
/** Screen pixels around a shape that still count as on it. */
const SLACK_PX = 6;
/** Screen pixels between the highlight and the shape. */
const HIGHLIGHT_GAP_PX = 4;

export class BindingTarget {
  private highlight: Konva.Shape | null = null;

  constructor(private readonly editor: EditorContext) {}

  /** The shape an end of `line` at the pointer binds to (none with Alt or Ctrl), highlighted. */
  at(line: Shape, pointer: ToolPointer): Shape | null {
    const slack = SLACK_PX / this.editor.viewport.zoom;
    const { x, y } = pointer.board;
    const near = { x: x - slack, y: y - slack, width: 2 * slack, height: 2 * slack };
    const target =
      pointer.altKey || pointer.ctrlKey
        ? null
        : bindingTargetAt(
            line,
            this.editor.canvas.shapes.storedShapesIn(near),
            pointer.board,
            slack,
          );
    this.show(target);
    return target;
  }

  /** Outlines `target` (null: nothing). */
  show(target: Shape | null): void {
    this.clear();
    if (!target) return;
    const zoom = this.editor.viewport.zoom;
    const gap = HIGHLIGHT_GAP_PX / zoom;
    const common = {
      stroke: ACCENT,
      strokeWidth: 2 / zoom,
      opacity: 0.6,
      listening: false,
      name: 'binding-highlight',
    };
    const placed = new Konva.Group({ x: target.x, y: target.y, rotation: target.rotation });
    const outline =
      target.type === 'ellipse'
        ? new Konva.Ellipse({
            ...common,
            x: target.width / 2,
            y: target.height / 2,
            radiusX: target.width / 2 + gap,
            radiusY: target.height / 2 + gap,
          })
        : new Konva.Rect({
            ...common,
            x: -gap,
            y: -gap,
            width: target.width + 2 * gap,
            height: target.height + 2 * gap,
            cornerRadius: 6 / zoom,
          });
    placed.add(outline);
    this.editor.canvas.overlay.add(placed);
    this.highlight = outline;
    this.editor.canvas.overlay.batchDraw();
  }

  clear(): void {
    if (!this.highlight) return;
    this.highlight.getParent()?.destroy();
    this.highlight = null;
    this.editor.canvas.overlay.batchDraw();
  }
}
