/** Hand: drag to pan. Also used for space-drag and the middle mouse button. */
import type { Viewport, Point } from '../viewport.ts';
import type { Tool, ToolPointer } from './tool.ts';

export class HandTool implements Tool {
  readonly cursor = 'grab';
  private last: Point | null = null;

  constructor(private readonly viewport: Viewport) {}

  down({ screen }: ToolPointer): void {
    this.last = screen;
  }

  move({ screen }: ToolPointer): void {
    if (!this.last) return;
    this.viewport.panBy(screen.x - this.last.x, screen.y - this.last.y);
    this.last = screen;
  }

  up(): void {
    this.last = null;
  }

  cancel(): void {
    this.last = null;
  }
}
