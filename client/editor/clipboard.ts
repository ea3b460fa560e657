/**
 * Copy, cut and paste of shapes through the system clipboard as JSON, so they travel between
 * boards (and tabs). Uses the copy/cut/paste events, which need no permission. A paste lands
 * under the pointer when it is over the canvas, else offset from where the shapes were.
 */
import type { Shape } from '../../common/board/shape.ts';
import { shapeInkBounds, unionBounds } from '../../common/render/shape-geometry.ts';
import type { Commands } from './commands.ts';
import type { EditorContext } from './editor-context.ts';
import { shapesFromJson } from './files.ts';
import type { Point } from './viewport.ts';

export const CLIPBOARD_FORMAT = 'boardcast/shapes';
const PASTE_OFFSET = 24;

export class Clipboard {
  constructor(
    private readonly editor: EditorContext,
    private readonly commands: Commands,
    private readonly pointerOnBoard: () => Point | null,
    private readonly isTyping: () => boolean,
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
    event.clipboardData.setData('text/plain', JSON.stringify({ type: CLIPBOARD_FORMAT, shapes }));
    if (cut) this.commands.deleteSelection();
  }

  private onPaste(event: ClipboardEvent): void {
    if (this.isTyping()) return;
    const text = event.clipboardData?.getData('text/plain') ?? '';
    let shapes: Shape[];
    try {
      shapes = shapesFromJson(text, 0);
    } catch {
      return; // not our JSON: nothing to paste
    }
    if (shapes.length === 0) return;
    event.preventDefault();
    const bounds = unionBounds(shapes.map(shapeInkBounds));
    const target = this.pointerOnBoard();
    const dx = target && bounds ? target.x - (bounds.x + bounds.width / 2) : PASTE_OFFSET;
    const dy = target && bounds ? target.y - (bounds.y + bounds.height / 2) : PASTE_OFFSET;
    this.commands.insertCopies(shapes, dx, dy);
  }
}
