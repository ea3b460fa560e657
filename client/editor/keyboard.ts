/**
 * The editor's keys (contract: "Editor keys"), plus nudging, z-order, zoom and `?` for help.
 * Keys typed into a field or while a dialog is open are left alone. Space held = pan.
 */
import type { Commands } from './commands.ts';
import type { EditorContext } from './editor-context.ts';
import { isEditableText } from './text-editor.ts';
import type { ToolId } from './tools/tool.ts';
import type { Point } from './viewport.ts';
import { isDialogOpen } from './ui/dialog.ts';

const TOOL_BY_KEY: Record<string, ToolId> = {
  v: 'select',
  h: 'hand',
  r: 'rect',
  o: 'ellipse',
  l: 'line',
  a: 'arrow',
  p: 'pen',
  t: 'text',
  n: 'sticky',
  k: 'laser',
};

export interface KeyboardDeps {
  editor: EditorContext;
  commands: Commands;
  zoomToFit(): void;
  openHelp(): void;
  cancelGesture(): void;
  /** The pointer's board position while it is over the canvas (Ctrl+Shift+L unlocks there). */
  pointerOnBoard(): Point | null;
}

export class Keyboard {
  private spaceHeld = false;

  constructor(private readonly deps: KeyboardDeps) {
    window.addEventListener('keydown', (event) => this.onKeyDown(event));
    window.addEventListener('keyup', (event) => {
      if (event.code === 'Space') this.spaceHeld = false;
    });
    window.addEventListener('blur', () => (this.spaceHeld = false));
  }

  get isSpaceHeld(): boolean {
    return this.spaceHeld;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || isDialogOpen()) return;
    // Enter and Space on a focused button press that button.
    if (event.target instanceof HTMLButtonElement && (event.key === 'Enter' || event.key === ' ')) {
      return;
    }
    const mod = event.ctrlKey || event.metaKey;
    const handled = mod ? this.onModifiedKey(event) : this.onPlainKey(event);
    if (handled) event.preventDefault();
  }

  /** Ctrl/Cmd combinations. Returns whether the key was the editor's. */
  private onModifiedKey(event: KeyboardEvent): boolean {
    const { editor, commands } = this.deps;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) editor.history.undo();
    else if ((key === 'z' && event.shiftKey) || key === 'y') editor.history.redo();
    else if (key === 'a') commands.selectAll();
    else if (key === 'd') commands.duplicate();
    else if (key === 'g' && event.shiftKey) commands.ungroup();
    else if (key === 'g') commands.group();
    else if (key === 'l' && event.shiftKey) commands.toggleLock(this.deps.pointerOnBoard());
    else if (event.code === 'BracketRight' && event.shiftKey) commands.bringToFront();
    else if (event.code === 'BracketRight') commands.moveOneStep(1);
    else if (event.code === 'BracketLeft' && event.shiftKey) commands.sendToBack();
    else if (event.code === 'BracketLeft') commands.moveOneStep(-1);
    else if (key === '=' || key === '+') editor.viewport.zoomIn();
    else if (key === '-') editor.viewport.zoomOut();
    else if (key === '0') editor.viewport.resetZoom();
    else return false; // Ctrl+C / X / V reach the clipboard events untouched
    return true;
  }

  private onPlainKey(event: KeyboardEvent): boolean {
    const { editor, commands } = this.deps;
    const step = event.shiftKey ? 10 : 1;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const nudge = arrows[event.key];
    const tool = TOOL_BY_KEY[event.key.toLowerCase()];
    if (event.code === 'Space') this.spaceHeld = true;
    else if (nudge) commands.nudge(...nudge);
    else if (event.key === 'Delete' || event.key === 'Backspace') commands.deleteSelection();
    else if (event.key === 'Escape') this.escape();
    else if (event.key === '?') this.deps.openHelp();
    else if (event.shiftKey && event.code === 'Digit1') this.deps.zoomToFit();
    else if (event.shiftKey && event.code === 'Digit0') editor.viewport.resetZoom();
    else if (event.key === 'Enter') this.editSelectedText();
    else if (tool && !event.altKey) editor.setTool(tool);
    else return false;
    return true;
  }

  private escape(): void {
    this.deps.cancelGesture();
    this.deps.editor.setTool('select');
    this.deps.editor.selection.clear();
  }

  private editSelectedText(): void {
    const { model, selection, textEditor } = this.deps.editor;
    const [shape] = model.pick(selection.current);
    if (selection.size === 1 && shape && isEditableText(shape)) {
      textEditor.edit(shape);
    }
  }
}

export function isTypingTarget(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')
  );
}
