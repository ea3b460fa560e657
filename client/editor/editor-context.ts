/** The editor's parts, created once at bootstrap and handed to tools and commands. */
import type { BoardModel } from './board-model.ts';
import type { Canvas } from './canvas.ts';
import type { History } from './history.ts';
import type { LaserTrail } from './laser.ts';
import type { Selection } from './selection.ts';
import type { StyleDefaults } from './style-defaults.ts';
import type { TextEditor } from './text-editor.ts';
import type { ToolId } from './tools/tool.ts';
import type { Viewport } from './viewport.ts';

export interface EditorContext {
  model: BoardModel;
  history: History;
  selection: Selection;
  viewport: Viewport;
  canvas: Canvas;
  style: StyleDefaults;
  textEditor: TextEditor;
  /** One's own laser pointer trail (never on the board; sent in presence). */
  laser: LaserTrail;
  setTool(id: ToolId): void;
}
