/** What every tool implements; the pointer input routes canvas pointer events to the active one. */
import type { Point } from '../viewport.ts';

export const TOOL_IDS = [
  'select',
  'hand',
  'rect',
  'ellipse',
  'line',
  'arrow',
  'pen',
  'text',
  'sticky',
  'laser',
] as const;
export type ToolId = (typeof TOOL_IDS)[number];

export interface ToolPointer {
  screen: Point;
  board: Point;
  shiftKey: boolean;
  /** Alt/Option held (drawing a line or arrow: leave its ends unbound). */
  altKey: boolean;
  /** Ctrl or Cmd held. */
  ctrlKey: boolean;
}

export interface Tool {
  /** CSS cursor over the canvas while this tool is active. */
  readonly cursor: string;
  down(pointer: ToolPointer): void;
  move(pointer: ToolPointer): void;
  up(pointer: ToolPointer): void;
  /** Abandons a gesture in progress (Escape, tool switch, lost pointer). */
  cancel(): void;
}
