/**
 * Rectangle, ellipse, line and arrow: drag to draw. The shape is on the board from the first
 * move past a click, so others see it grow (LiveShape: one update per frame, one undo step;
 * Escape removes it). A click with the rectangle or ellipse tool makes a default-size one.
 * After drawing, the new shape is selected and the select tool comes back, as in Excalidraw.
 */
import type { Shape } from '../../../common/board/shape.ts';
import type { EditorContext } from '../editor-context.ts';
import type { Point } from '../viewport.ts';
import { LiveShape } from './live-shape.ts';
import { newShape } from './new-shape.ts';
import type { Tool, ToolPointer } from './tool.ts';

export type DrawShapeType = 'rect' | 'ellipse' | 'line' | 'arrow';

const DEFAULT_BOX = { width: 160, height: 100 };
/** A drag shorter than this (screen px) is a click. */
const CLICK_DISTANCE_PX = 4;

export class DrawTool implements Tool {
  readonly cursor = 'crosshair';
  private start: Point | null = null;
  private readonly live: LiveShape;

  constructor(
    private readonly editor: EditorContext,
    private readonly type: DrawShapeType,
  ) {
    this.live = new LiveShape(editor);
  }

  down({ board }: ToolPointer): void {
    this.start = board;
  }

  move({ board, screen, shiftKey }: ToolPointer): void {
    if (!this.start) return;
    if (!this.live.shapeId && this.isClick(this.start, screen)) return;
    const shape = this.shapeBetween(this.start, board, shiftKey);
    if (this.live.shapeId) {
      const { x, y, width, height, points } = shape;
      this.live.update({ x, y, width, height, points });
    } else {
      this.live.start(shape);
    }
  }

  up({ screen }: ToolPointer): void {
    if (!this.start) return;
    const start = this.start;
    this.start = null;
    let id = this.live.finish();
    if (!id && this.isClick(start, screen)) {
      const shape = this.defaultShapeAt(start);
      if (!shape) return;
      this.editor.history.beginStep();
      this.editor.model.add([shape]);
      id = shape.id;
    }
    if (!id) return;
    this.editor.selection.set([id]);
    this.editor.setTool('select');
  }

  cancel(): void {
    this.live.abandon();
    this.start = null;
  }

  private isClick(start: Point, screen: Point): boolean {
    const startScreen = this.editor.viewport.toScreen(start);
    return Math.hypot(screen.x - startScreen.x, screen.y - startScreen.y) < CLICK_DISTANCE_PX;
  }

  private defaultShapeAt(at: Point): Shape | undefined {
    if (this.type !== 'rect' && this.type !== 'ellipse') return undefined;
    return this.create({ x: at.x, y: at.y, ...DEFAULT_BOX });
  }

  private shapeBetween(from: Point, to: Point, constrain: boolean): Shape {
    let dx = to.x - from.x;
    let dy = to.y - from.y;
    if (this.type === 'line' || this.type === 'arrow') {
      if (constrain) [dx, dy] = snapToEighths(dx, dy);
      return this.create({ x: from.x, y: from.y, points: [0, 0, dx, dy] });
    }
    if (constrain) {
      const side = Math.max(Math.abs(dx), Math.abs(dy));
      dx = Math.sign(dx || 1) * side;
      dy = Math.sign(dy || 1) * side;
    }
    return this.create({
      x: Math.min(from.x, from.x + dx),
      y: Math.min(from.y, from.y + dy),
      width: Math.abs(dx),
      height: Math.abs(dy),
    });
  }

  private create(fields: Partial<Shape> & Pick<Shape, 'x' | 'y'>): Shape {
    return newShape(this.type, fields, this.editor.style.current, this.editor.model.nextTopZ());
  }
}

/** Shift constrains lines to multiples of 45°. */
function snapToEighths(dx: number, dy: number): [number, number] {
  const length = Math.hypot(dx, dy);
  const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
  return [Math.cos(angle) * length, Math.sin(angle) * length];
}
