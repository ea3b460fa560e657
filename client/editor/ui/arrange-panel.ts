/**
 * Align and distribute buttons for a multi-selection (the same commands as the context menu):
 * align needs two units (a group counts as one), distribute three. Hidden otherwise, so the
 * panel stays short for the usual single shape.
 */
import type { Alignment, DistributeAxis } from '../arrange.ts';
import type { Commands } from '../commands.ts';
import { element } from './dialog.ts';

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" aria-hidden="true">${body}</svg>`;

const ALIGN: [Alignment, string, string][] = [
  ['left', 'Align left', svg('<path d="M4 3v18M8 7h10M8 15h6"/>')],
  ['center', 'Align centre', svg('<path d="M12 3v18M6 7h12M8 15h8"/>')],
  ['right', 'Align right', svg('<path d="M20 3v18M6 7h10M10 15h6"/>')],
  ['top', 'Align top', svg('<path d="M3 4h18M7 8v10M15 8v6"/>')],
  ['middle', 'Align middle', svg('<path d="M3 12h18M7 6v12M15 8v8"/>')],
  ['bottom', 'Align bottom', svg('<path d="M3 20h18M7 6v10M15 10v6"/>')],
];
const DISTRIBUTE: [DistributeAxis, string, string][] = [
  ['horizontal', 'Distribute horizontally', svg('<path d="M4 4v16M20 4v16M10 8v8M14 8v8"/>')],
  ['vertical', 'Distribute vertically', svg('<path d="M4 4h16M4 20h16M8 10h8M8 14h8"/>')],
];

export class ArrangePanel {
  private readonly section: HTMLElement;
  private readonly distributeButtons: HTMLButtonElement[];

  constructor(root: HTMLElement, commands: Commands) {
    const button = (id: string, label: string, icon: string, run: () => void) => {
      const b = element('button', { className: 'style-option action-button', title: label });
      b.innerHTML = icon;
      b.dataset.arrange = id;
      b.setAttribute('aria-label', label);
      b.addEventListener('click', run);
      return b;
    };
    const aligns = ALIGN.map(([how, label, icon]) =>
      button(`align-${how}`, label, icon, () => commands.align(how)),
    );
    this.distributeButtons = DISTRIBUTE.map(([axis, label, icon]) =>
      button(`distribute-${axis}`, label, icon, () => commands.distribute(axis)),
    );
    this.section = element(
      'section',
      { className: 'style-group arrange-group' },
      element('h3', {}, 'Align'),
      element('div', { className: 'style-options' }, ...aligns, ...this.distributeButtons),
    );
    this.section.hidden = true;
    root.append(this.section);
  }

  /** `units`: how many things the selection moves as (a group is one). */
  show(units: number): void {
    this.section.hidden = units < 2;
    for (const b of this.distributeButtons) b.disabled = units < 3;
  }
}
