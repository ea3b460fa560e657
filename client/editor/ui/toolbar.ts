/** The tool buttons: one per tool, with its key, showing which is active. */
import { TOOL_IDS, type ToolId } from '../tools/tool.ts';
import { TOOL_ICONS } from './icons.ts';

export const TOOL_KEYS: Record<ToolId, string> = {
  select: 'V',
  hand: 'H',
  rect: 'R',
  ellipse: 'O',
  line: 'L',
  arrow: 'A',
  pen: 'P',
  text: 'T',
  sticky: 'N',
  laser: 'K',
};

export const TOOL_LABELS: Record<ToolId, string> = {
  select: 'Select',
  hand: 'Hand',
  rect: 'Rectangle',
  ellipse: 'Ellipse',
  line: 'Line',
  arrow: 'Arrow',
  pen: 'Pen',
  text: 'Text',
  sticky: 'Sticky note',
  laser: 'Laser pointer',
};

export class Toolbar {
  private readonly buttons = new Map<ToolId, HTMLButtonElement>();

  constructor(root: HTMLElement, onPick: (id: ToolId) => void) {
    for (const id of TOOL_IDS) {
      const button = document.createElement('button');
      button.className = 'tool-button';
      button.dataset.tool = id;
      button.title = `${TOOL_LABELS[id]} (${TOOL_KEYS[id]})`;
      button.setAttribute('aria-label', TOOL_LABELS[id]);
      button.innerHTML = `${TOOL_ICONS[id]}<span class="tool-key">${TOOL_KEYS[id]}</span>`;
      button.addEventListener('click', () => onPick(id));
      this.buttons.set(id, button);
      root.append(button);
      if (id === 'hand')
        root.append(Object.assign(document.createElement('span'), { className: 'divider' }));
    }
  }

  showActive(active: ToolId): void {
    for (const [id, button] of this.buttons) {
      button.classList.toggle('is-active', id === active);
      button.setAttribute('aria-pressed', String(id === active));
    }
  }
}
