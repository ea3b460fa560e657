/** K: the laser pointer. Pressed, the pointer leaves a fading trail others see; nothing is drawn. */
import type { LaserTrail } from '../laser.ts';
import type { Tool, ToolPointer } from './tool.ts';

export class LaserTool implements Tool {
  readonly cursor = 'crosshair';
  private pressed = false;

  constructor(private readonly trail: LaserTrail) {}

  down({ board }: ToolPointer): void {
    this.pressed = true;
    this.trail.hold(true);
    this.trail.add(board);
  }

  move({ board }: ToolPointer): void {
    if (this.pressed) this.trail.add(board);
  }

  up(): void {
    this.cancel();
  }

  cancel(): void {
    this.pressed = false;
    this.trail.hold(false);
  }
}
