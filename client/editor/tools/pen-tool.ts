/**
 * Pen: freehand strokes, smoothed by perfect-freehand when drawn. Points are stored relative to
 * the first one; points closer than a pixel on screen are dropped. The pen stays active.
 */
import type Konva from 'konva';
import { SHAPE_LIMITS } from '../../../common/board/limits.ts';
import type { Shape } from '../../../common/board/shape.ts';
import { createShapeNode, updateShapeNode } from '../../render/shape-node.ts';
import type { EditorContext } from '../editor-context.ts';
import type { Point } from '../viewport.ts';
import { newShape } from './new-shape.ts';
import type { Tool, ToolPointer } from './tool.ts';

const MIN_POINT_DISTANCE_PX = 1;

export class PenTool implements Tool {
  readonly cursor = 'crosshair';
  private stroke: { origin: Point; shape: Shape; node: Konva.Group } | null = null;

  constructor(private readonly editor: EditorContext) {}

  down({ board }: ToolPointer): void {
    const shape = newShape(
      'pen',
      { x: board.x, y: board.y, points: [0, 0] },
      this.editor.style.current,
      this.editor.model.nextTopZ(),
    );
    const node = createShapeNode(this.editor.canvas.shapes.forDisplay(shape));
    node.listening(false);
    this.editor.canvas.overlay.add(node);
    this.stroke = { origin: board, shape, node };
  }

  move({ board }: ToolPointer): void {
    const stroke = this.stroke;
    if (!stroke) return;
    const points = stroke.shape.points;
    const x = board.x - stroke.origin.x;
    const y = board.y - stroke.origin.y;
    const lastX = points[points.length - 2] ?? 0;
    const lastY = points[points.length - 1] ?? 0;
    const tooClose =
      Math.hypot(x - lastX, y - lastY) * this.editor.viewport.zoom < MIN_POINT_DISTANCE_PX;
    if (tooClose || points.length + 2 > SHAPE_LIMITS.MAX_POINT_NUMBERS) return;
    stroke.shape = { ...stroke.shape, points: [...points, x, y] };
    updateShapeNode(stroke.node, this.editor.canvas.shapes.forDisplay(stroke.shape));
    this.editor.canvas.overlay.batchDraw();
  }

  up(): void {
    const shape = this.stroke?.shape;
    this.cancel();
    if (!shape) return;
    // A click leaves a dot: perfect-freehand draws a round blob for a zero-length stroke.
    const points = shape.points.length >= 4 ? shape.points : [0, 0, 0.1, 0.1];
    this.editor.history.beginStep();
    this.editor.model.add([{ ...shape, points }]);
  }

  cancel(): void {
    this.stroke?.node.destroy();
    this.editor.canvas.overlay.batchDraw();
    this.stroke = null;
  }
}
