/**
 * Text and sticky note. Text: a click opens an in-place editor there (or on the text clicked);
 * the shape is made when the text is committed, non-empty. Sticky: a click places a note
 * centred on the pointer and opens its editor. Both hand back to the select tool.
 */
import type { Shape } from '../../../common/board/shape.ts';
import { STICKY } from '../../../common/render/shape-geometry.ts';
import { shapeIdOfNode } from '../../render/shape-node.ts';
import type { EditorContext } from '../editor-context.ts';
import { newShape } from './new-shape.ts';
import type { Tool, ToolPointer } from './tool.ts';

export class TextTool implements Tool {
  readonly cursor = 'text';
  private pressed = false;

  constructor(
    private readonly editor: EditorContext,
    private readonly type: 'text' | 'sticky',
  ) {}

  down(): void {
    this.pressed = true;
  }

  move(): void {}

  up(pointer: ToolPointer): void {
    if (!this.pressed) return;
    this.pressed = false;
    const editor = this.editor;
    editor.setTool('select');
    const existing = editor.model.get(shapeIdOfNode(editor.canvas.hitTest(pointer.screen)) ?? '');
    if (existing && (existing.type === 'text' || existing.type === 'sticky')) {
      editor.textEditor.edit(existing);
    } else if (this.type === 'text') {
      editor.textEditor.edit(this.newShapeAt(pointer, 0), { isNew: true });
    } else {
      const half = STICKY.DEFAULT_SIZE / 2;
      const sticky = this.newShapeAt(
        { ...pointer, board: { x: pointer.board.x - half, y: pointer.board.y - half } },
        STICKY.DEFAULT_SIZE,
      );
      editor.history.beginStep();
      editor.model.add([sticky]);
      editor.selection.set([sticky.id]);
      editor.textEditor.edit(sticky);
    }
  }

  cancel(): void {
    this.pressed = false;
  }

  private newShapeAt({ board }: ToolPointer, size: number): Shape {
    const { style, model } = this.editor;
    return newShape(
      this.type,
      { x: board.x, y: board.y, width: size, height: size },
      style.current,
      model.nextTopZ(),
    );
  }
}
