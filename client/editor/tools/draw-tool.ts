/**
 * Rectangle, ellipse, line and arrow: drag to draw (a draft on the overlay, committed on
 * release as one change). A click with the rectangle or ellipse tool makes a default-size one.
 * After drawing, the new shape is selected and the select tool comes back, as in Excalidraw.
 */
import type Konva from 'konva';
import type { Shape } from '../../../common/board/shape.ts';
import { createShapeNode, updateShapeNode } from '../../render/shape-node.ts';
import type { EditorContext } from '../editor-context.ts';
import type { Point } from '../viewport.ts';
import { newShape } from './new-shape.ts';
import type { Tool, ToolPointer } from './tool.ts';

export type DrawShapeType = 'rect' | 'ellipse' | 'line' | 'arrow';

const DEFAULT_BOX = { width: 160, height: 100 };
/** A drag shorter than this (screen px) is a click. */
const CLICK_DISTANCE_PX = 4;

export class DrawTool implements Tool {
  readonly cursor = 'crosshair';
  private start: Point | null = null;
  private draft: { shape: Shape; node: Konva.Group } | null = null;

  constructor(
    private readonly editor: EditorContext,
    private readonly type: DrawShapeType,
  ) {}

  down({ board }: ToolPointer): void {
    this.start = board;
  }

  move({ board, shiftKey }: ToolPointer): void {
    if (!this.start) return;
    const shape = this.shapeBetween(this.start, board, shiftKey);
    if (this.draft) {
      this.draft.shape = shape;
      updateShapeNode(this.draft.node, this.editor.canvas.shapes.forDisplay(shape));
    } else {
      const node = createShapeNode(this.editor.canvas.shapes.forDisplay(shape));
      node.listening(false);
      this.editor.canvas.overlay.add(node);
      this.draft = { shape, node };
    }
    this.editor.canvas.overlay.batchDraw();
  }

  up({ screen }: ToolPointer): void {
    if (!this.start) return;
    const startScreen = this.editor.viewport.toScreen(this.start);
    const isClick =
      Math.hypot(screen.x - startScreen.x, screen.y - startScreen.y) < CLICK_DISTANCE_PX;
    const shape = isClick ? this.defaultShapeAt(this.start) : this.draft?.shape;
    this.cancel();
    if (!shape) return;
    this.editor.history.beginStep();
    this.editor.model.add([shape]);
    this.editor.selection.set([shape.id]);
    this.editor.setTool('select');
  }

  cancel(): void {
    this.draft?.node.destroy();
    this.editor.canvas.overlay.batchDraw();
    this.draft = null;
    this.start = null;
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
