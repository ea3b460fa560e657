/**
 * Which tool is active: switching cancels the gesture in progress, sets the canvas cursor and
 * lights the toolbar button. The tools are installed once they exist (they need the editor
 * context, whose `setTool` needs this).
 */
import type { Toolbar } from '../ui/toolbar.ts';
import type { Tool, ToolId } from './tool.ts';

export class ToolSwitcher {
  private tools: Record<ToolId, Tool> | null = null;
  private activeId: ToolId = 'select';
  /** Called before every switch; the pointer input cancels its gesture here. */
  beforeSwitch: () => void = () => {};

  constructor(
    private readonly canvasElement: HTMLElement,
    private readonly toolbar: Toolbar,
  ) {}

  install(tools: Record<ToolId, Tool>): void {
    this.tools = tools;
    this.set(this.activeId);
  }

  get currentId(): ToolId {
    return this.activeId;
  }

  get current(): Tool {
    if (!this.tools) throw new Error('tools are not installed yet');
    return this.tools[this.activeId];
  }

  set(id: ToolId): void {
    this.beforeSwitch();
    this.activeId = id;
    this.canvasElement.style.cursor = this.current.cursor;
    this.canvasElement.dataset.tool = id;
    this.toolbar.showActive(id);
  }
}
