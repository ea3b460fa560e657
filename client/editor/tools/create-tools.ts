/** One instance of every tool, for the editor's lifetime. */
import type { EditorContext } from '../editor-context.ts';
import { DrawTool } from './draw-tool.ts';
import { HandTool } from './hand-tool.ts';
import { LaserTool } from './laser-tool.ts';
import { PenTool } from './pen-tool.ts';
import { SelectTool } from './select-tool.ts';
import { TextTool } from './text-tool.ts';
import type { Tool, ToolId } from './tool.ts';

export function createTools(editor: EditorContext): Record<ToolId, Tool> {
  return {
    select: new SelectTool(editor),
    hand: new HandTool(editor.viewport),
    rect: new DrawTool(editor, 'rect'),
    ellipse: new DrawTool(editor, 'ellipse'),
    line: new DrawTool(editor, 'line'),
    arrow: new DrawTool(editor, 'arrow'),
    pen: new PenTool(editor),
    text: new TextTool(editor, 'text'),
    sticky: new TextTool(editor, 'sticky'),
    laser: new LaserTool(editor.laser),
  };
}
