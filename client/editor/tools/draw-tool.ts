/**
 * Rectangle, ellipse, line and arrow: drag to draw. The shape is on the board from the first
 * move past a click, so others see it grow (LiveShape: one update per frame, one undo step;
 * Escape removes it). A click with the rectangle or ellipse tool makes a default-size one.
 * After drawing, the new shape is selected and the select tool comes back, as in Excalidraw.
 * A line or arrow that starts or ends on a shape is bound to it (`startId` / `endId`; the
 * target is highlighted meanwhile; Alt or Ctrl/Cmd while dragging draws it unbound), and its
 * points are stored where its bound ends are drawn.
 */
import type { Shape } from '../../../common/board/shape.ts';
import { resolveBoundShape } from '../../../common/render/line-ends.ts';
import { BindingTarget } from '../binding-target.ts';
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
  private start: ToolPointer | null = null;
  private readonly live: LiveShape;
  private readonly binding: BindingTarget;
  /** The shape under the press a line may start on (undefined: not looked up yet). */
  private startTarget: Shape | null | undefined;

  constructor(
    private readonly editor: EditorContext,
    private readonly type: DrawShapeType,
  ) {
    this.live = new LiveShape(editor);
    this.binding = new BindingTarget(editor);
  }

  down(pointer: ToolPointer): void {
    this.start = pointer;
    this.startTarget = undefined;
  }

  move(pointer: ToolPointer): void {
    if (!this.start) return;
    if (!this.live.shapeId && this.isClick(this.start, pointer)) return;
    let shape = this.shapeBetween(this.start.board, pointer.board, pointer.shiftKey);
    if (this.type === 'line' || this.type === 'arrow') shape = this.bind(shape, pointer);
    if (this.live.shapeId) {
      const { x, y, width, height, points } = shape;
      const ends = isLine(shape) ? { startId: shape.startId ?? '', endId: shape.endId ?? '' } : {};
      this.live.update({ x, y, width, height, points, ...ends });
    } else {
      this.live.start(shape);
    }
  }

  up({ screen }: ToolPointer): void {
    if (!this.start) return;
    const start = this.start;
    this.start = null;
    this.binding.clear();
    let id = this.live.finish();
    if (!id && this.isClick(start, { ...start, screen })) {
      const shape = this.defaultShapeAt(start.board);
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
    this.binding.clear();
    this.live.abandon();
    this.start = null;
  }

  private isClick(start: ToolPointer, pointer: Pick<ToolPointer, 'screen'>): boolean {
    const { screen } = pointer;
    return Math.hypot(screen.x - start.screen.x, screen.y - start.screen.y) < CLICK_DISTANCE_PX;
  }

  /**
   * The line with its ends bound to the shapes under its start and under the pointer (none with
   * Alt or Ctrl), its points placed where the bound ends are drawn. The end's target is
   * highlighted (or else the start's).
   */
  private bind(line: Shape, pointer: ToolPointer): Shape {
    const unbound = pointer.altKey || pointer.ctrlKey;
    // The shape under the press does not change while dragging: looked up once.
    if (this.startTarget === undefined) this.startTarget = this.binding.at(line, this.start!);
    const start = unbound ? null : this.startTarget;
    const end = this.binding.at(line, pointer);
    if (!end) this.binding.show(start);
    if (!start && !end) return line;
    const bound = { ...line, startId: start?.id, endId: end?.id };
    return resolveBoundShape(bound, (id) => this.editor.model.get(id));
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

function isLine(shape: Shape): boolean {
  return shape.type === 'line' || shape.type === 'arrow';
}

/** Shift constrains lines to multiples of 45°. */
function snapToEighths(dx: number, dy: number): [number, number] {
  const length = Math.hypot(dx, dy);
  const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
  return [Math.cos(angle) * length, Math.sin(angle) * length];
}
