/**
 * In-place text editing: a textarea laid exactly over the shape (same font, size, colour and
 * rotation, scaled with the zoom) while the canvas copy of the text is hidden. Blur, Escape
 * or Ctrl/Cmd+Enter commit. Text shapes size themselves to their text; an empty text shape is
 * removed (a new one is never made). Labels (rect, ellipse, sticky) are edited where they are
 * drawn: wrapped to the label box, aligned, centred vertically; a sticky note grows to fit its
 * text (on the canvas while typing, in the board on commit). A line's or arrow's label is
 * edited at its middle. Keys typed here never reach the editor's shortcuts.
 *
 * Others see the text as it is typed (issue 12): a new text is put on the board with its first
 * character, and every change is written at most once per frame; the whole edit is one undo
 * step, and a new text emptied again before the commit leaves nothing behind.
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
import { FrameThrottle } from './frame-throttle.ts';
import type { History } from './history.ts';
import { measureText, measureWrappedHeight } from './text-measure.ts';
import type { Viewport } from './viewport.ts';

interface Session {
  shape: Shape;
  isNew: boolean;
  textarea: HTMLTextAreaElement;
  /** The canvas nodes of the text being edited, hidden meanwhile. */
  hidden: Konva.Node[];
  /** A new text: whether it is on the board yet (from its first character). */
  onBoard: boolean;
  /** Whether this edit's undo step has begun (with its first write). */
  stepOpen: boolean;
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
  private readonly live = new FrameThrottle();

  constructor(
    private readonly host: HTMLElement,
    private readonly model: BoardModel,
    private readonly history: History,
    private readonly canvas: Canvas,
    private readonly viewport: Viewport,
  ) {
    viewport.onChange(() => this.position());
    // The shape being edited, redrawn (a live write, or someone moving it): its canvas text
    // stays hidden under the textarea, which follows it.
    model.onChange(({ upserted }) => {
      const session = this.session;
      const shape = session && upserted.find((changed) => changed.id === session.shape.id);
      if (!session || !shape) return;
      session.shape = shape;
      this.position();
      // After the canvas has drawn the change (its listener may come after this one).
      queueMicrotask(() => this.session === session && this.hideCanvasText(session));
    });
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
    this.session = { shape, isNew, textarea, hidden: [], onBoard: false, stepOpen: false };
    this.hideCanvasText(this.session);
    textarea.addEventListener('input', () => {
      this.position();
      this.writeLive();
    });
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
    this.live.cancel();
    session.textarea.remove();
    for (const child of session.hidden) child.visible(true);
    this.canvas.shapes.requestDraw();
    this.notifyOpenChange();
    const text = truncateText(session.textarea.value);
    const { shape } = session;
    if (session.isNew && !session.onBoard) {
      if (text.trim() === '') return; // an empty new text is never made
      this.history.beginStep();
      this.model.add([{ ...shape, text, ...measureText(text, shape.fontSize) }]);
      return;
    }
    if (!this.model.has(shape.id)) return; // someone deleted it meanwhile
    if (shape.type === 'text' && text.trim() === '') {
      if (!session.stepOpen) this.history.beginStep();
      this.model.remove([shape.id]);
      if (session.isNew) this.history.discardStep(); // made and emptied here: nothing left
      return;
    }
    this.writeText(session, text, false);
  }

  /** The text as typed so far, for others to see: the new shape, then one write per frame. */
  private writeLive(): void {
    const session = this.session;
    if (!session) return;
    const text = truncateText(session.textarea.value);
    if (session.isNew && !session.onBoard) {
      if (text.trim() === '') return;
      const { shape } = session;
      this.history.beginStep();
      session.onBoard = true;
      session.stepOpen = true;
      this.model.add([{ ...shape, text, ...measureText(text, shape.fontSize) }]);
      return;
    }
    this.live.schedule(() => this.writeText(session, text, true));
  }

  private writeText(session: Session, text: string, live: boolean): void {
    const current = this.model.get(session.shape.id);
    if (!current || current.text === text) return;
    if (!session.stepOpen) {
      this.history.beginStep();
      session.stepOpen = true;
    }
    this.model.update(new Map([[current.id, { text, ...this.sizeFor(current, text) }]]), { live });
  }

  /** The drawn text steps aside (a line label's box too; a sticky's box stays: it grows). */
  private hideCanvasText(session: Session): void {
    const { shape } = session;
    const children = this.canvas.shapes.getNode(shape.id)?.getChildren() ?? [];
    session.hidden = isLine(shape)
      ? children.slice(shape.type === 'arrow' ? 2 : 1)
      : children.filter((child) => child.getClassName() === 'Text');
    for (const child of session.hidden) child.visible(false);
    this.canvas.shapes.requestDraw();
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
    this.canvas.shapes.requestDraw();
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
