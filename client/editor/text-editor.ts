/**
 * In-place text editing: a textarea laid exactly over the shape (same font, size, colour and
 * rotation, scaled with the zoom) while the canvas copy of the text is hidden. Blur, Escape
 * or Ctrl/Cmd+Enter commit. Text shapes size themselves to their text; an empty text shape is
 * removed (a new one is never made).
 *
 * Others see the text as it is typed (issue 12): a new text is put on the board with its first
 * character, and every change is written at most once per frame; the whole edit is one undo
 * step, and a new text emptied again before the commit leaves nothing behind.
 */
import type Konva from 'konva';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { truncateText } from '../../common/board/repair.ts';
import type { Shape } from '../../common/board/shape.ts';
import { STICKY, TEXT_FONT_FAMILY, TEXT_LINE_HEIGHT } from '../../common/render/shape-geometry.ts';
import type { BoardModel } from './board-model.ts';
import type { Canvas } from './canvas.ts';
import { FrameThrottle } from './frame-throttle.ts';
import type { History } from './history.ts';
import { measureText } from './text-measure.ts';
import type { Viewport } from './viewport.ts';

interface Session {
  shape: Shape;
  isNew: boolean;
  textarea: HTMLTextAreaElement;
  hidden: Konva.Node | null;
  /** A new text: whether it is on the board yet (from its first character). */
  onBoard: boolean;
  /** Whether this edit's undo step has begun (with its first write). */
  stepOpen: boolean;
}

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
    textarea.setAttribute('aria-label', shape.type === 'sticky' ? 'Sticky note text' : 'Text');
    this.session = { shape, isNew, textarea, hidden: null, onBoard: false, stepOpen: false };
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
    session.hidden?.visible(true);
    this.canvas.shapes.layer.batchDraw();
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
    const size = current.type === 'text' ? measureText(text, current.fontSize) : {};
    this.model.update(new Map([[current.id, { text, ...size }]]), { live });
  }

  private hideCanvasText(session: Session): void {
    const node = this.canvas.shapes.getNode(session.shape.id);
    session.hidden = node?.findOne('Text') ?? null;
    session.hidden?.visible(false);
    this.canvas.shapes.layer.batchDraw();
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
