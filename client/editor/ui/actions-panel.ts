/**
 * Buttons for what the selection can do besides style: layer order, duplicate, delete. The
 * same commands as the keys, for people who have not learnt them. Disabled with no selection.
 */
import type { Commands } from '../commands.ts';
import { element } from './dialog.ts';

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

interface Action {
  id: string;
  label: string;
  icon: string;
  run(commands: Commands): void;
}

const ACTIONS: Action[] = [
  {
    id: 'to-back',
    label: 'Send to back (Ctrl Shift [)',
    icon: svg('<path d="M12 4v12M7 11l5 5 5-5M5 20h14"/>'),
    run: (c) => c.sendToBack(),
  },
  {
    id: 'backward',
    label: 'Send backward (Ctrl [)',
    icon: svg('<path d="M12 5v14M7 14l5 5 5-5"/>'),
    run: (c) => c.moveOneStep(-1),
  },
  {
    id: 'forward',
    label: 'Bring forward (Ctrl ])',
    icon: svg('<path d="M12 19V5M7 10l5-5 5 5"/>'),
    run: (c) => c.moveOneStep(1),
  },
  {
    id: 'to-front',
    label: 'Bring to front (Ctrl Shift ])',
    icon: svg('<path d="M12 20V8M7 13l5-5 5 5M5 4h14"/>'),
    run: (c) => c.bringToFront(),
  },
  {
    id: 'duplicate',
    label: 'Duplicate (Ctrl D)',
    icon: svg(
      '<rect x="8" y="8" width="12" height="12" rx="2"/><path d="M16 8V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3"/>',
    ),
    run: (c) => c.duplicate(),
  },
  {
    id: 'delete',
    label: 'Delete (Delete)',
    icon: svg('<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/>'),
    run: (c) => c.deleteSelection(),
  },
];

export class ActionsPanel {
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(root: HTMLElement, commands: Commands) {
    for (const action of ACTIONS) {
      const button = element('button', {
        className: 'style-option action-button',
        title: action.label,
      });
      button.innerHTML = action.icon;
      button.dataset.action = action.id;
      button.setAttribute('aria-label', action.label);
      button.addEventListener('click', () => action.run(commands));
      this.buttons.push(button);
    }
    root.append(
      element(
        'section',
        { className: 'style-group' },
        element('h3', {}, 'Actions'),
        element('div', { className: 'style-options' }, ...this.buttons),
      ),
    );
  }

  setEnabled(enabled: boolean): void {
    for (const button of this.buttons) button.disabled = !enabled;
  }
}
