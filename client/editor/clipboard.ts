/**
 * Copy, cut and paste of shapes through the system clipboard as JSON, so they travel between
 * boards (and tabs). Uses the copy/cut/paste events, which need no permission. A paste lands
 * under the pointer when it is over the canvas, else offset from where the shapes were.
 * What other apps put there works too: image files become image shapes (image-insert.ts), and
 * plain text a text shape, under the pointer or in the middle of the view.
 */
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import type { Shape } from '../../common/board/shape.ts';
import { shapeInkBounds, unionBounds } from '../../common/render/shape-geometry.ts';
import type { Commands } from './commands.ts';
import type { EditorContext } from './editor-context.ts';
import { shapesFromJson } from './files.ts';
import type { ImageInserter } from './image-insert.ts';
import { measureText } from './text-measure.ts';
import { newShape } from './tools/new-shape.ts';
import type { Point } from './viewport.ts';

export const CLIPBOARD_FORMAT = 'boardcast/shapes';
const PASTE_OFFSET = 24;
/** Pasted text wider than this (board units) wraps at words. */
const PASTED_TEXT_MAX_WIDTH = 640;

export class Clipboard {
  constructor(
    private readonly editor: EditorContext,
    private readonly commands: Commands,
    private readonly pointerOnBoard: () => Point | null,
    private readonly isTyping: () => boolean,
    private readonly images: ImageInserter | null = null,
  ) {
    document.addEventListener('copy', (event) => this.onCopy(event, false));
    document.addEventListener('cut', (event) => this.onCopy(event, true));
    document.addEventListener('paste', (event) => this.onPaste(event));
  }

  private onCopy(event: ClipboardEvent, cut: boolean): void {
    if (this.isTyping()) return;
    const shapes = this.editor.model.pick(this.editor.selection.current);
    if (shapes.length === 0 || !event.clipboardData) return;
    event.preventDefault();
    // Images travel with where their assets are, so another board can fetch them on paste.
    const assets = this.images?.sourcesOf(shapes) ?? {};
    const copied = Object.keys(assets).length > 0 ? { shapes, assets } : { shapes };
    event.clipboardData.setData(
      'text/plain',
      JSON.stringify({ type: CLIPBOARD_FORMAT, ...copied }),
    );
    if (cut) this.commands.deleteSelection();
  }

  private onPaste(event: ClipboardEvent): void {
    if (this.isTyping()) return;
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length > 0 && this.images) {
      event.preventDefault();
      void this.images.insertFiles(files, this.pointerOnBoard());
      return;
    }
    const text = event.clipboardData?.getData('text/plain') ?? '';
    let shapes: Shape[];
    try {
      shapes = shapesFromJson(text, 0);
    } catch {
      // Not our JSON: text from another app.
      if (text.trim() !== '') {
        event.preventDefault();
        this.pasteText(text);
      }
      return;
    }
    if (shapes.length === 0) return;
    event.preventDefault();
    const bounds = unionBounds(shapes.map(shapeInkBounds));
    const target = this.pointerOnBoard();
    const dx = target && bounds ? target.x - (bounds.x + bounds.width / 2) : PASTE_OFFSET;
    const dy = target && bounds ? target.y - (bounds.y + bounds.height / 2) : PASTE_OFFSET;
    const sources = assetSources(text);
    if (!sources || !this.images) return this.commands.insertCopies(shapes, dx, dy);
    // The assets first, so the images are drawn, not a frame, when the shapes arrive.
    void this.images.adoptAssets(sources).then(() => this.commands.insertCopies(shapes, dx, dy));
  }

  /** A text shape holding `text`, centred under the pointer or in the view, selected. */
  private pasteText(raw: string): void {
    const { model, style, viewport, history, selection } = this.editor;
    const text = raw.replace(/\r\n?/g, '\n').trimEnd().slice(0, SHAPE_LIMITS.MAX_TEXT_LENGTH);
    const fontSize = style.current.fontSize;
    const natural = measureText(text, fontSize);
    const width = Math.min(natural.width, PASTED_TEXT_MAX_WIDTH);
    const height =
      width < natural.width ? measureText(text, fontSize, width).height : natural.height;
    const centre = this.pointerOnBoard() ?? viewport.toBoard(viewport.center());
    const shape = newShape(
      'text',
      { x: centre.x - width / 2, y: centre.y - height / 2, width, height, text },
      style.current,
      model.nextTopZ(),
    );
    history.beginStep();
    model.add([shape]);
    this.editor.setTool('select');
    selection.set([shape.id]);
  }
}

/** The `assets` of our clipboard JSON (asset id → where to fetch it), or null. */
function assetSources(text: string): Record<string, unknown> | null {
  try {
    const assets = (JSON.parse(text) as { assets?: unknown }).assets;
    return typeof assets === 'object' && assets !== null
      ? (assets as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
