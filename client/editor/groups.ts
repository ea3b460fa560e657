/**
 * Groups and locks, as the select tool, the keys and the context menu see them (contract:
 * `groupId`, `locked`). One place for the rules:
 * - A click on a grouped shape selects its whole group; a double-click "enters" the group and
 *   selects just that member; while inside, clicks pick single members, and a click outside
 *   (or Escape, or a marquee) leaves it. Groups do not nest: grouping shapes from several groups
 *   makes one new group of them all.
 * - A locked shape is never selected (click, marquee, select all): a click on it acts as a click
 *   on the canvas. Hovering it says it is locked and how to unlock it.
 * - A double-click on a grouped shape first enters the group; only a double-click on a member
 *   of the group one is already in edits its text (`doubleClickAt`, the one function deciding).
 */
import type { Shape } from '../../common/board/shape.ts';
import { shapeIdOfNode } from '../render/shape-node.ts';
import type { EditorContext } from './editor-context.ts';
import type { ToolPointer } from './tools/tool.ts';
import type { Point } from './viewport.ts';

/** The shape under a screen point, or undefined. */
export function shapeAtScreen(editor: EditorContext, screen: Point): Shape | undefined {
  const id = shapeIdOfNode(editor.canvas.hitTest(screen));
  return id ? editor.model.get(id) : undefined;
}

/** Every unlocked shape of the group `groupId`. */
export function groupMembers(editor: EditorContext, groupId: string): Shape[] {
  return editor.model.groupShapes(groupId).filter((shape) => !shape.locked);
}

/**
 * What a click on `shape` selects: its whole group, or only it when it is not grouped or its
 * group is the one entered.
 */
export function clickUnit(editor: EditorContext, shape: Shape): string[] {
  const { groupId } = shape;
  if (!groupId || groupId === editor.selection.enteredGroup) return [shape.id];
  return groupMembers(editor, groupId).map((member) => member.id);
}

/** `ids` with the rest of their groups (those not entered), locked shapes left out. */
export function withGroups(editor: EditorContext, ids: Iterable<string>): string[] {
  const result = new Set<string>();
  const groupsDone = new Set<string>(); // each whole group once, however many members touched
  for (const shape of editor.model.pick(ids)) {
    if (shape.locked || (shape.groupId && groupsDone.has(shape.groupId))) continue;
    const unit = clickUnit(editor, shape);
    if (shape.groupId && unit.length > 1) groupsDone.add(shape.groupId);
    for (const id of unit) result.add(id);
  }
  return [...result];
}

/** Double-click with the select tool: enter a group, or else edit text (`editText`). */
export function doubleClickAt(
  editor: EditorContext,
  at: ToolPointer,
  editText: (editor: EditorContext, at: ToolPointer) => void,
): void {
  const shape = shapeAtScreen(editor, at.screen);
  if (shape?.locked) return;
  if (shape?.groupId && shape.groupId !== editor.selection.enteredGroup) {
    editor.selection.enteredGroup = shape.groupId;
    editor.selection.set([shape.id]);
    return;
  }
  editText(editor, at);
}

const LOCK_HINT = 'Locked: right-click to unlock (or hover it and press Ctrl+Shift+L)';

/**
 * Says so when the pointer is over a locked shape with the select tool: a "not allowed" cursor
 * and a small label by the pointer. Also keeps the selection free of shapes someone locked.
 */
export function installLockHints(editor: EditorContext, isSelectTool: () => boolean): void {
  const container = editor.canvas.container;
  const hint = document.createElement('div');
  hint.className = 'lock-hint';
  hint.id = 'lock-hint';
  hint.textContent = `🔒 ${LOCK_HINT}`;
  hint.hidden = true;
  container.parentElement?.append(hint);
  const hide = () => {
    hint.hidden = true;
    container.classList.remove('is-over-locked');
  };
  container.addEventListener('pointermove', (event) => {
    if (event.buttons !== 0 || !isSelectTool()) return hide();
    const rect = container.getBoundingClientRect();
    const screen = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    if (!shapeAtScreen(editor, screen)?.locked) return hide();
    container.classList.add('is-over-locked');
    hint.hidden = false;
    hint.style.left = `${event.clientX + 14}px`;
    hint.style.top = `${event.clientY + 14}px`;
  });
  container.addEventListener('pointerleave', hide);
  container.addEventListener('pointerdown', hide);
  editor.model.onChange(({ upserted }) => {
    if (upserted.some((shape) => shape.locked && editor.selection.has(shape.id))) {
      editor.selection.retain((id) => editor.model.get(id)?.locked === false);
    }
  });
}
