/** `?`: every shortcut, on one card. */
import { TOOL_IDS } from '../tools/tool.ts';
import { element, openDialog } from './dialog.ts';
import { TOOL_KEYS, TOOL_LABELS } from './toolbar.ts';

const MOD = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

/** Each row: what it does, then its alternatives (each one key chord). */
const EDITING: [string, string[]][] = [
  ['Undo', [`${MOD} Z`]],
  ['Redo', [`${MOD} Shift Z`, `${MOD} Y`]],
  ['Select all', [`${MOD} A`]],
  ['Add to selection', ['Shift click']],
  ['Duplicate', [`${MOD} D`, 'Alt drag']],
  ['Group, ungroup', [`${MOD} G`, `${MOD} Shift G`]],
  ['Pick one shape of a group', ['Double-click']],
  ['Lock, unlock (hover)', [`${MOD} Shift L`]],
  ['Move without snapping', [`${MOD} drag`]],
  ['More actions', ['Right-click', 'Long-press']],
  ['Copy, cut, paste', [`${MOD} C`, `${MOD} X`, `${MOD} V`]],
  ['Delete', ['Delete', 'Backspace']],
  ['Nudge (Shift: 10×)', ['← ↑ → ↓']],
  ['Edit text or label', ['Double-click', 'Enter']],
  ['Draw an arrow unbound', ['Alt drag', `${MOD} drag`]],
  ['Bring forward', [`${MOD} ]`]],
  ['Bring to front', [`${MOD} Shift ]`]],
  ['Send backward', [`${MOD} [`]],
  ['Send to back', [`${MOD} Shift [`]],
  ['Back to select', ['Escape']],
];

const VIEW: [string, string[]][] = [
  ['Pan', ['Wheel', 'Two-finger scroll']],
  ['Pan sideways', ['Shift wheel']],
  ['Pan with any tool', ['Space drag', 'Middle drag']],
  ['Zoom', [`${MOD} wheel`, 'Pinch']],
  ['Zoom in', [`${MOD} +`]],
  ['Zoom out', [`${MOD} −`]],
  ['Zoom to fit', ['Shift 1']],
  ['Zoom to 100%', ['Shift 0']],
  ['Shortcuts', ['?']],
];

export function openHelpDialog(): void {
  const tools: [string, string[]][] = TOOL_IDS.map((id) => [TOOL_LABELS[id], [TOOL_KEYS[id]]]);
  const body = element(
    'div',
    { className: 'help-grid' },
    table('Tools', tools),
    table('Editing', EDITING),
    table(
      'View',
      VIEW,
      'Zoom in and out step through 10, 25, 50, 100, 150, 200, 300, 400 % and on. Click a ' +
        'collaborator’s avatar to follow their view (Escape stops).',
    ),
  );
  openDialog('Keyboard shortcuts', body, 'help-dialog');
}

function table(title: string, rows: [string, string[]][], note?: string): HTMLElement {
  const entries = rows.flatMap(([what, chords]) => [
    element('dt', {}, what),
    element('dd', {}, ...chords.map((chord) => element('kbd', {}, chord))),
  ]);
  const section = element('section', {}, element('h3', {}, title), element('dl', {}, ...entries));
  if (note) section.append(element('p', { className: 'help-note' }, note));
  return section;
}
