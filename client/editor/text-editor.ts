/**
 * In-place text editing: a textarea laid exactly over the shape (same font, size, colour and
 * rotation, scaled with the zoom) while the canvas copy of the text is hidden. Blur, Escape
 * or Ctrl/Cmd+Enter commit. Text shapes size themselves to their text; an empty text shape is
 * removed (a new one is never made). Labels (rect, ellipse, sticky) are edited where they are
 * drawn: wrapped to the label box, aligned, centred vertically; a sticky note grows to fit its
 * text (on the canvas while typing, in the board on commit). A line's or arrow's label is
 * edited at its middle. Keys typed here never reach the editor's shortcuts.
 */
import type Konva from 'konva';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { truncateText } from '../../common/board/repair.ts';
import type { Shape } from '../../common/board/shape.ts';
import { LABEL_SHAPE_TYPES, type ShapeFields } from '../../common/board/shape.ts';
import { localToBoard } from '../../common/render/line-ends.ts';
import {
  TEXT_FONT_FAMILY,
  TEXT_LINE_HEIGHT,
  labelBox,
  labelTop,
  polylineMidpoint,
  stickyHeightFor,
} from '../../common/render/shape-geometry.ts';
import type { BoardModel } from './board-model.ts';
import type { Canvas } from './canvas.ts';
import type { History } from './history.ts';
import { measureText, measureWrappedHeight } from './text-measure.ts';
import type { Viewport } from './viewport.ts';

interface Session {
  shape: Shape;
  isNew: boolean;
  textarea: HTMLTextAreaElement;
  /** The canvas nodes of the text being edited, hidden meanwhile. */
  hidden: Konva.Node[];
}

/** Whether the shape's text is a label (edited in its label box or at a line's middle). */
export function isLabelled(shape: Shape): boolean {
  return LABEL_SHAPE_TYPES.includes(shape.type);
}

/** Whether Enter or a double-click edits the shape's text (texts and labels). */
export function isEditableText(shape: Shape): boolean {
  return shape.type === 'text' || isLabelled(shape);
}

const isLine = (shape: Shape) => shape.type === 'line' || shape.type === 'arrow';

export class TextEditor {
  private session: Session | null = null;
  private readonly openListeners = new Set<() => void>();

  constructor(
    private readonly host: HTMLElement,
    private readonly model: BoardModel,
    private readonly history: History,
    private readonly canvas: Canvas,
    private readonly viewport: Viewport,
  ) {
    viewport.onChange(() => this.position());
  }

  get isOpen(): boolean {
    return this.session !== null;
  }

  get editingId(): string | null {
    return this.session?.shape.id ?? null;
  }

  /** Hears the editor open and close (the transformer steps aside meanwhile). */
  onOpenChange(listener: () => void): void {
    this.openListeners.add(listener);
  }

  private notifyOpenChange(): void {
    for (const listener of this.openListeners) listener();
  }

  edit(shape: Shape, { isNew = false } = {}): void {
    this.commit();
    const textarea = document.createElement('textarea');
    textarea.className = 'text-editor';
    textarea.value = shape.text;
    textarea.maxLength = SHAPE_LIMITS.MAX_TEXT_LENGTH; // typing and pasting stop at the limit
    textarea.spellcheck = false;
    textarea.setAttribute('aria-label', ARIA_LABELS[shape.type] ?? 'Text');
    textarea.dataset.shapeType = shape.type;
    const node = this.canvas.shapes.getNode(shape.id);
    // The drawn text steps aside (a line label's box too; a sticky's box stays: it grows).
    const children = node?.getChildren() ?? [];
    const hidden = isLine(shape)
      ? children.slice(shape.type === 'arrow' ? 2 : 1)
      : children.filter((child) => child.getClassName() === 'Text');
    for (const child of hidden) child.visible(false);
    this.canvas.shapes.layer.batchDraw();
    this.session = { shape, isNew, textarea, hidden };
    textarea.addEventListener('input', () => this.position());
    textarea.addEventListener('blur', () => this.commit());
    textarea.addEventListener('keydown', (event) => this.onKey(event));
    this.host.append(textarea);
    this.position();
    textarea.focus();
    textarea.select();
    this.notifyOpenChange();
  }

  /** Writes the text to the board and closes the editor. */
  commit(): void {
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.textarea.remove();
    for (const child of session.hidden) child.visible(true);
    this.canvas.shapes.layer.batchDraw();
    this.notifyOpenChange();
    const text = truncateText(session.textarea.value);
    const current = this.model.get(session.shape.id);
    if (!session.isNew && !current) return; // someone deleted it meanwhile
    const shape = current ?? session.shape;
    if (text === shape.text && !session.isNew) return;
    this.history.beginStep();
    if (shape.type === 'text' && text.trim() === '') {
      if (!session.isNew) this.model.remove([shape.id]);
    } else if (session.isNew) {
      this.model.add([{ ...shape, text, ...measureText(text, shape.fontSize) }]);
    } else {
      this.model.update(new Map([[shape.id, { text, ...this.sizeFor(shape, text) }]]));
    }
  }

  /** The size the shape takes for `text`: a text shape fits it, a sticky note grows to it. */
  private sizeFor(shape: Shape, text: string): Partial<ShapeFields> {
    if (shape.type === 'text') return measureText(text, shape.fontSize);
    if (shape.type !== 'sticky') return {};
    const height = this.stickyHeight(shape, text);
    return height > shape.height ? { height } : {};
  }

  private stickyHeight(shape: Shape, text: string): number {
    const box = labelBox(shape);
    return stickyHeightFor(measureWrappedHeight(text, shape.fontSize, box.width));
  }

  private onKey(event: KeyboardEvent): void {
    event.stopPropagation(); // the editor's shortcuts must not fire while typing
    if (event.key === 'Escape' || (event.key === 'Enter' && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      this.session?.textarea.blur();
    }
  }

  /** Applies the font, colour and rotation of `shape` to the textarea, `at` its screen origin. */
  private placeTextarea(
    textarea: HTMLTextAreaElement,
    shape: Shape,
    at: { x: number; y: number },
    shift: string,
  ): void {
    const zoom = this.viewport.zoom;
    const style = textarea.style;
    style.left = `${at.x}px`;
    style.top = `${at.y}px`;
    style.padding = '0';
    style.transform = `rotate(${shape.rotation}deg) ${shift}`;
    style.font = `${shape.fontSize * zoom}px/${TEXT_LINE_HEIGHT} ${TEXT_FONT_FAMILY}`;
    style.color = this.canvas.shapes.forDisplay(shape).stroke;
    style.textAlign = shape.textAlign;
  }

  /** A rect, ellipse or sticky label: over the label box, wrapped, centred vertically. */
  private positionLabel(session: Session): void {
    const shape = this.model.get(session.shape.id) ?? session.shape;
    const text = session.textarea.value;
    const zoom = this.viewport.zoom;
    let height = shape.height;
    if (shape.type === 'sticky') {
      height = Math.max(shape.height, this.stickyHeight(shape, text));
      this.growStickyOnCanvas(shape.id, height);
    }
    const box = labelBox({ ...shape, height });
    const textHeight = measureWrappedHeight(text, shape.fontSize, box.width);
    const top = labelTop(box, textHeight);
    this.placeTextarea(
      session.textarea,
      shape,
      this.viewport.toScreen(shape),
      `translate(${box.x * zoom}px, ${top * zoom}px)`,
    );
    const style = session.textarea.style;
    style.whiteSpace = 'pre-wrap';
    style.overflowWrap = 'break-word';
    style.width = `${box.width * zoom}px`;
    style.height = `${textHeight * zoom}px`;
  }

  /** Shows a sticky note `height` tall on the canvas while its text is typed (board: on commit). */
  private growStickyOnCanvas(id: string, height: number): void {
    const box = this.canvas.shapes.getNode(id)?.getChildren()[0];
    if (!box || box.height() === height) return;
    box.height(height);
    this.canvas.shapes.layer.batchDraw();
  }

  /** A line or arrow label: centred on the middle of the line as drawn. */
  private positionLineLabel(session: Session): void {
    const shape = this.model.get(session.shape.id) ?? session.shape;
    const drawn = this.canvas.shapes.getDrawnShape(shape.id) ?? shape;
    const zoom = this.viewport.zoom;
    const size = measureText(session.textarea.value, shape.fontSize);
    const width = size.width + shape.fontSize;
    const mid = this.viewport.toScreen(localToBoard(drawn, polylineMidpoint(drawn.points)));
    this.placeTextarea(
      session.textarea,
      shape,
      mid,
      `translate(${(-width / 2) * zoom}px, ${(-size.height / 2) * zoom}px)`,
    );
    const style = session.textarea.style;
    style.whiteSpace = 'pre';
    style.width = `${width * zoom}px`;
    style.height = `${size.height * zoom}px`;
  }

  private position(): void {
    const session = this.session;
    if (!session) return;
    if (isLine(session.shape)) return this.positionLineLabel(session);
    if (isLabelled(session.shape)) return this.positionLabel(session);
    const { shape, textarea } = session;
    const zoom = this.viewport.zoom;
    this.placeTextarea(textarea, shape, this.viewport.toScreen(shape), '');
    const style = textarea.style;
    const size = measureText(textarea.value, shape.fontSize);
    style.whiteSpace = 'pre';
    style.width = `${(size.width + shape.fontSize) * zoom}px`;
    style.height = `${size.height * zoom}px`;
  }
}

const ARIA_LABELS: Partial<Record<Shape['type'], string>> = {
  sticky: 'Sticky note text',
  rect: 'Rectangle label',
  ellipse: 'Ellipse label',
  line: 'Line label',
  arrow: 'Arrow label',
};
