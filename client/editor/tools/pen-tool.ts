/**
 * Pen: freehand strokes, smoothed by perfect-freehand when drawn. Points are stored relative to
 * the first one; points closer than a pixel on screen are dropped. The stroke is on the board
 * from the press, so others see it as it is drawn (LiveShape: one update per frame, one undo
 * step; Escape removes it). The pen stays active.
 */
import { SHAPE_LIMITS } from '../../../common/board/limits.ts';
import type { EditorContext } from '../editor-context.ts';
import type { Point } from '../viewport.ts';
import { LiveShape } from './live-shape.ts';
import { newShape } from './new-shape.ts';
import type { Tool, ToolPointer } from './tool.ts';

const MIN_POINT_DISTANCE_PX = 1;
/** What a click leaves: perfect-freehand draws a round dot for a zero-length stroke. */
const DOT_POINTS = [0, 0, 0.1, 0.1];

export class PenTool implements Tool {
  readonly cursor = 'crosshair';
  private stroke: { origin: Point; points: number[] } | null = null;
  private readonly live: LiveShape;

  constructor(private readonly editor: EditorContext) {
    this.live = new LiveShape(editor);
  }

  down({ board }: ToolPointer): void {
    const shape = newShape(
      'pen',
      { x: board.x, y: board.y, points: DOT_POINTS },
      this.editor.style.current,
      this.editor.model.nextTopZ(),
    );
    this.live.start(shape);
    this.stroke = { origin: board, points: [0, 0] };
  }

  move({ board }: ToolPointer): void {
    const stroke = this.stroke;
    if (!stroke) return;
    const points = stroke.points;
    const x = board.x - stroke.origin.x;
    const y = board.y - stroke.origin.y;
    const lastX = points[points.length - 2] ?? 0;
    const lastY = points[points.length - 1] ?? 0;
    const tooClose =
      Math.hypot(x - lastX, y - lastY) * this.editor.viewport.zoom < MIN_POINT_DISTANCE_PX;
    if (tooClose || points.length + 2 > SHAPE_LIMITS.MAX_POINT_NUMBERS) return;
    points.push(x, y);
    this.live.update({ points: [...points] });
  }

  up(): void {
    this.live.finish();
    this.stroke = null;
  }

  cancel(): void {
    this.live.abandon();
    this.stroke = null;
  }
}
