/**
 * In-place text editing: a textarea laid exactly over the shape (same font, size, colour and
 * rotation, scaled with the zoom) while the canvas copy of the text is hidden. Blur, Escape
 * or Ctrl/Cmd+Enter commit. Text shapes size themselves to their text; an empty text shape is
 * removed (a new one is never made).
 */
import type Konva from 'konva';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { truncateText } from '../../common/board/repair.ts';
import type { Shape } from '../../common/board/shape.ts';
import { STICKY, TEXT_FONT_FAMILY, TEXT_LINE_HEIGHT } from '../../common/render/shape-geometry.ts';
import type { BoardModel } from './board-model.ts';
import type { Canvas } from './canvas.ts';
import type { History } from './history.ts';
import { measureText } from './text-measure.ts';
import type { Viewport } from './viewport.ts';

interface Session {
  shape: Shape;
  isNew: boolean;
  textarea: HTMLTextAreaElement;
  hidden: Konva.Node | null;
}

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
    textarea.setAttribute('aria-label', shape.type === 'sticky' ? 'Sticky note text' : 'Text');
    const node = this.canvas.shapes.getNode(shape.id);
    const hidden = node?.findOne('Text') ?? null;
    hidden?.visible(false);
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
    session.hidden?.visible(true);
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
      const size = shape.type === 'text' ? measureText(text, shape.fontSize) : {};
      this.model.update(new Map([[shape.id, { text, ...size }]]));
    }
  }

  private onKey(event: KeyboardEvent): void {
    event.stopPropagation(); // the editor's shortcuts must not fire while typing
    if (event.key === 'Escape' || (event.key === 'Enter' && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      this.session?.textarea.blur();
    }
  }

  private position(): void {
    const session = this.session;
    if (!session) return;
    const { shape, textarea } = session;
    const zoom = this.viewport.zoom;
    const origin = this.viewport.toScreen(shape);
    const inset = shape.type === 'sticky' ? STICKY.PADDING * zoom : 0;
    const style = textarea.style;
    style.left = `${origin.x}px`;
    style.top = `${origin.y}px`;
    style.padding = `${inset}px`;
    style.transform = `rotate(${shape.rotation}deg)`;
    style.font = `${shape.fontSize * zoom}px/${TEXT_LINE_HEIGHT} ${TEXT_FONT_FAMILY}`;
    style.color = this.canvas.shapes.forDisplay(shape).stroke;
    if (shape.type === 'sticky') {
      style.width = `${shape.width * zoom}px`;
      style.height = `${shape.height * zoom}px`;
      style.whiteSpace = 'pre-wrap';
      return;
    }
    const size = measureText(textarea.value, shape.fontSize);
    style.whiteSpace = 'pre';
    style.width = `${(size.width + shape.fontSize) * zoom}px`;
    style.height = `${size.height * zoom}px`;
  }
}
