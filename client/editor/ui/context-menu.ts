/**
 * A menu of actions at a screen point (`ContextMenu`), and the canvas's right-click menu built
 * on it (`installCanvasContextMenu`). The menu is a reusable module: anything may call
 * `open(clientX, clientY, items)`; the canvas menu also exposes `openAt(clientX, clientY)`
 * for other inputs (a touch long-press fires `contextmenu`, which lands here too).
 *
 * What the canvas menu offers depends on what is under the pointer, as in Excalidraw: on a
 * shape it is selected first (its whole group; a locked shape offers Unlock), then cut, copy,
 * paste, duplicate, delete, group/ungroup, lock, layer order, align and distribute; on empty
 * canvas paste, select all, unlock all and the snapping toggle. Escape, a click elsewhere, a
 * scroll or a resize close it.
 */
import { layoutBox, unionBox } from '../arrange.ts';
import type { Commands } from '../commands.ts';
import type { EditorContext } from '../editor-context.ts';
import { clickUnit, shapeAtScreen } from '../groups.ts';
import { isSnapEnabled, setSnapEnabled } from '../snap-guides.ts';
import { element } from './dialog.ts';

const MOD = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

export interface MenuItem {
  id: string;
  label: string;
  shortcut?: string;
  /** A tick in front (a toggle that is on). */
  checked?: boolean;
  run(): void;
}

/** `null` draws a separator. */
export type MenuEntry = MenuItem | null;

export class ContextMenu {
  private readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = element('div', { className: 'menu context-menu', id: 'context-menu' });
    this.root.setAttribute('role', 'menu');
    this.root.hidden = true;
    parent.append(this.root);
    const close = () => this.close();
    document.addEventListener('pointerdown', (event) => {
      if (!this.root.contains(event.target as Node)) close();
    });
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    window.addEventListener('resize', close);
    window.addEventListener('wheel', close, { passive: true });
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  /** Opens at a page point, kept inside the window. */
  open(clientX: number, clientY: number, entries: readonly MenuEntry[]): void {
    const items = trimSeparators(entries).map((entry) => (entry ? this.item(entry) : separator()));
    this.root.replaceChildren(...items);
    this.root.hidden = false;
    const { width, height } = this.root.getBoundingClientRect();
    const x = Math.max(4, Math.min(clientX, window.innerWidth - width - 4));
    const y = Math.max(4, Math.min(clientY, window.innerHeight - height - 4));
    this.root.style.left = `${x}px`;
    this.root.style.top = `${y}px`;
  }

  close(): void {
    this.root.hidden = true;
  }

  private item(entry: MenuItem): HTMLElement {
    const button = element('button', { type: 'button' });
    button.setAttribute('role', entry.checked === undefined ? 'menuitem' : 'menuitemcheckbox');
    if (entry.checked !== undefined) button.setAttribute('aria-checked', String(entry.checked));
    button.dataset.menuItem = entry.id;
    button.append(
      element('span', { className: 'menu-check' }, entry.checked ? '✓' : ''),
      element('span', { className: 'menu-label-text' }, entry.label),
      ...(entry.shortcut ? [element('kbd', { className: 'menu-shortcut' }, entry.shortcut)] : []),
    );
    button.addEventListener('click', () => {
      this.close();
      entry.run();
    });
    return button;
  }
}

function separator(): HTMLElement {
  const line = element('div', { className: 'menu-separator' });
  line.setAttribute('role', 'separator');
  return line;
}

/** No separator first, last, or twice in a row. */
function trimSeparators(entries: readonly MenuEntry[]): MenuEntry[] {
  const out: MenuEntry[] = [];
  for (const entry of entries) {
    if (entry === null && (out.length === 0 || out[out.length - 1] === null)) continue;
    out.push(entry);
  }
  if (out[out.length - 1] === null) out.pop();
  return out;
}

export interface CanvasMenu {
  menu: ContextMenu;
  /** Opens the canvas menu for what is at this page point (as a right-click there would). */
  openAt(clientX: number, clientY: number): void;
}

export function installCanvasContextMenu(
  editor: EditorContext,
  commands: Commands,
  isSelectTool: () => boolean,
): CanvasMenu {
  const container = editor.canvas.container;
  const menu = new ContextMenu(container.parentElement ?? document.body);
  const openAt = (clientX: number, clientY: number) => {
    const rect = container.getBoundingClientRect();
    const screen = { x: clientX - rect.left, y: clientY - rect.top };
    menu.open(clientX, clientY, canvasEntries(editor, commands, screen, isSelectTool()));
  };
  container.addEventListener('contextmenu', (event) => {
    event.preventDefault();
    openAt(event.clientX, event.clientY);
  });
  return { menu, openAt };
}

function canvasEntries(
  editor: EditorContext,
  commands: Commands,
  screen: { x: number; y: number },
  selectTool: boolean,
): MenuEntry[] {
  const { selection, model } = editor;
  const shape = selectTool ? shapeAtScreen(editor, screen) : undefined;
  if (shape?.locked) {
    return [
      {
        id: 'unlock',
        label: 'Unlock',
        shortcut: `${MOD}Shift+L`,
        run: () => commands.unlock(shape),
      },
    ];
  }
  if (shape && !selection.has(shape.id)) selection.set(clickUnit(editor, shape));
  // Empty canvas lets the selection go, but not a point inside it (its handles, its box).
  if (!shape && selectTool && !insideSelection(editor, screen)) selection.clear();
  const selected = model.pick(selection.current);
  const paste: MenuItem = {
    id: 'paste',
    label: 'Paste',
    shortcut: `${MOD}V`,
    run: pasteFromClipboard,
  };
  if (selected.length === 0) {
    const anyLocked = model.all().some((s) => s.locked);
    return [
      paste,
      {
        id: 'select-all',
        label: 'Select all',
        shortcut: `${MOD}A`,
        run: () => commands.selectAll(),
      },
      ...(anyLocked
        ? [{ id: 'unlock-all', label: 'Unlock all', run: () => commands.unlockAll() }]
        : []),
      null,
      {
        id: 'snap',
        label: 'Snap to shapes',
        checked: isSnapEnabled(),
        run: () => setSnapEnabled(!isSnapEnabled()),
      },
    ];
  }
  const grouped = selected.some((s) => s.groupId);
  const units = new Set(selected.map((s) => s.groupId || s.id)).size;
  return [
    { id: 'cut', label: 'Cut', shortcut: `${MOD}X`, run: () => document.execCommand('cut') },
    { id: 'copy', label: 'Copy', shortcut: `${MOD}C`, run: () => document.execCommand('copy') },
    paste,
    { id: 'duplicate', label: 'Duplicate', shortcut: `${MOD}D`, run: () => commands.duplicate() },
    { id: 'delete', label: 'Delete', shortcut: 'Del', run: () => commands.deleteSelection() },
    null,
    ...(selected.length >= 2
      ? [{ id: 'group', label: 'Group', shortcut: `${MOD}G`, run: () => commands.group() }]
      : []),
    ...(grouped
      ? [
          {
            id: 'ungroup',
            label: 'Ungroup',
            shortcut: `${MOD}Shift+G`,
            run: () => commands.ungroup(),
          },
        ]
      : []),
    { id: 'lock', label: 'Lock', shortcut: `${MOD}Shift+L`, run: () => commands.toggleLock(null) },
    null,
    {
      id: 'forward',
      label: 'Bring forward',
      shortcut: `${MOD}]`,
      run: () => commands.moveOneStep(1),
    },
    {
      id: 'to-front',
      label: 'Bring to front',
      shortcut: `${MOD}Shift+]`,
      run: () => commands.bringToFront(),
    },
    {
      id: 'backward',
      label: 'Send backward',
      shortcut: `${MOD}[`,
      run: () => commands.moveOneStep(-1),
    },
    {
      id: 'to-back',
      label: 'Send to back',
      shortcut: `${MOD}Shift+[`,
      run: () => commands.sendToBack(),
    },
    null,
    ...(units >= 2
      ? (
          [
            ['left', 'Align left'],
            ['center', 'Align centre'],
            ['right', 'Align right'],
            ['top', 'Align top'],
            ['middle', 'Align middle'],
            ['bottom', 'Align bottom'],
          ] as const
        ).map(([how, label]) => ({
          id: `align-${how}`,
          label,
          run: () => commands.align(how),
        }))
      : []),
    ...(units >= 3
      ? [
          {
            id: 'distribute-horizontal',
            label: 'Distribute horizontally',
            run: () => commands.distribute('horizontal'),
          },
          {
            id: 'distribute-vertical',
            label: 'Distribute vertically',
            run: () => commands.distribute('vertical'),
          },
        ]
      : []),
  ];
}

function insideSelection(editor: EditorContext, screen: { x: number; y: number }): boolean {
  const selected = editor.model.pick(editor.selection.current);
  if (selected.length === 0) return false;
  const box = unionBox(selected.map(layoutBox));
  const at = editor.viewport.toBoard(screen);
  const slack = 8 / editor.viewport.zoom;
  return (
    at.x >= box.x - slack &&
    at.x <= box.x + box.width + slack &&
    at.y >= box.y - slack &&
    at.y <= box.y + box.height + slack
  );
}

/**
 * Paste from the menu: the page cannot start a real paste, so it reads the clipboard (the
 * browser may ask for permission) and hands it to the paste handlers as a paste event, the
 * same way a Ctrl+V would.
 */
function pasteFromClipboard(): void {
  void navigator.clipboard
    .readText()
    .then((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    })
    .catch(() => {
      // Refused or unavailable: Ctrl+V still works.
    });
}
