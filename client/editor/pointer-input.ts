/**
 * Canvas pointer input: routes presses to the active tool, except the middle button and
 * space-drag, which pan whatever the tool. The wheel and a trackpad's two-finger scroll pan
 * (Shift+wheel sideways), as in Excalidraw and tldraw; Ctrl/Cmd+wheel zooms about the pointer,
 * and so does a trackpad pinch, which the browser reports as Ctrl+wheel (contract: "Editor keys").
 */
import type { Tool, ToolPointer } from './tools/tool.ts';
import { PinchZoom } from './pinch-zoom.ts';
import { HandTool } from './tools/hand-tool.ts';
import type { Viewport } from './viewport.ts';

const MIDDLE_BUTTON = 1;
/** Pixels of Ctrl+wheel delta for a doubling of zoom (a mouse notch of 100 px: about 16 %). */
const WHEEL_PX_PER_DOUBLING = 400;
/** Pixels per line when the wheel reports lines (Firefox with a mouse). */
const WHEEL_LINE_PX = 16;

export interface PointerInputDeps {
  element: HTMLElement;
  viewport: Viewport;
  activeTool(): Tool;
  onDoubleClick(pointer: ToolPointer): void;
  isSpaceHeld(): boolean;
}

export class PointerInput {
  private readonly pan: HandTool;
  private readonly pinch: PinchZoom;
  /** The tool that owns the current press, if any. */
  private owner: Tool | null = null;

  constructor(private readonly deps: PointerInputDeps) {
    this.pan = new HandTool(deps.viewport);
    this.pinch = new PinchZoom(deps.viewport);
    const element = deps.element;
    element.addEventListener('pointerdown', (event) => this.onDown(event));
    element.addEventListener('pointermove', (event) => this.onMove(event));
    element.addEventListener('pointerup', (event) => this.onUp(event));
    element.addEventListener('pointercancel', (event) => {
      this.pinch.up(event.pointerId);
      this.cancel();
    });
    // Only the primary button edits or creates text: a middle-button pan started where the last
    // click was must not open a text editor.
    element.addEventListener('dblclick', (event) => {
      if (event.button === 0) deps.onDoubleClick(this.toPointer(event));
    });
    // The middle button pans: on Linux its release would also paste the primary selection
    // (turning whatever was last selected anywhere into a text shape), so that default is off.
    const stopMiddleButtonPaste = (event: MouseEvent) => {
      if (event.button === 1) event.preventDefault();
    };
    element.addEventListener('mouseup', stopMiddleButtonPaste);
    element.addEventListener('auxclick', stopMiddleButtonPaste);
    element.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    element.addEventListener('contextmenu', (event) => event.preventDefault());
  }

  get isPressed(): boolean {
    return this.owner !== null;
  }

  cancel(): void {
    this.owner?.cancel();
    this.owner = null;
  }

  toPointer(event: MouseEvent): ToolPointer {
    const rect = this.deps.element.getBoundingClientRect();
    const screen = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    const board = this.deps.viewport.toBoard(screen);
    // Hundredths of a unit are plenty, and keep float noise out of stored coordinates.
    const tidy = (value: number) => Math.round(value * 100) / 100;
    return {
      screen,
      board: { x: tidy(board.x), y: tidy(board.y) },
      shiftKey: event.shiftKey,
      altKey: event.altKey,
      ctrlKey: event.ctrlKey || event.metaKey,
    };
  }

  private onDown(event: PointerEvent): void {
    if (event.pointerType === 'touch') {
      this.pinch.down(event.pointerId, this.toPointer(event).screen);
      if (this.pinch.active) return this.cancel(); // a second finger: the pinch takes over
    }
    if (this.owner || (event.button !== 0 && event.button !== MIDDLE_BUTTON)) return;
    const panning = event.button === MIDDLE_BUTTON || this.deps.isSpaceHeld();
    this.owner = panning ? this.pan : this.deps.activeTool();
    this.deps.element.setPointerCapture(event.pointerId);
    if (this.owner instanceof HandTool) this.deps.element.classList.add('is-panning');
    this.owner.down(this.toPointer(event));
  }

  private onMove(event: PointerEvent): void {
    if (this.pinch.move(event.pointerId, this.toPointer(event).screen)) return;
    this.owner?.move(this.toPointer(event));
  }

  private onUp(event: PointerEvent): void {
    this.pinch.up(event.pointerId);
    const owner = this.owner;
    this.owner = null;
    this.deps.element.classList.remove('is-panning');
    if (this.deps.element.hasPointerCapture(event.pointerId)) {
      this.deps.element.releasePointerCapture(event.pointerId);
    }
    owner?.up(this.toPointer(event));
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const scale =
      event.deltaMode === WheelEvent.DOM_DELTA_LINE
        ? WHEEL_LINE_PX
        : event.deltaMode === WheelEvent.DOM_DELTA_PAGE
          ? this.deps.viewport.size.height
          : 1;
    const dx = event.deltaX * scale;
    const dy = event.deltaY * scale;
    if (event.ctrlKey || event.metaKey) {
      const factor = 2 ** (-dy / WHEEL_PX_PER_DOUBLING);
      this.deps.viewport.zoomAt(this.toPointer(event).screen, factor);
    } else if (event.shiftKey && dx === 0) {
      this.deps.viewport.panBy(-dy, 0); // a vertical wheel with Shift pans sideways
    } else {
      this.deps.viewport.panBy(-dx, -dy);
    }
  }
}
