/**
 * On a small screen the style panel is a bottom sheet, opened on demand from a button in the
 * bottom bar (it would otherwise cover half the board): closed by its × button, by Escape, or
 * by a press on the canvas (back to drawing). On a wide screen it is the usual side panel and
 * the button and the sheet's header are hidden (mobile.css).
 */
import { element } from './dialog.ts';

const PALETTE_ICON =
  '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3a9 9 0 1 0 0 18c1.1 0 1.7-.8 1.7-1.7 0-.5-.2-.9-.5-1.2-.3-.3-.5-.7-.5-1.2 0-.9.8-1.7 1.7-1.7H16a5 5 0 0 0 5-5c0-4-4-7.2-9-7.2z"/><circle cx="7.5" cy="11" r="1"/><circle cx="10.5" cy="7" r="1"/><circle cx="15" cy="7.5" r="1"/></svg>';

export class StyleSheetToggle {
  readonly button: HTMLButtonElement;

  constructor(
    private readonly panel: HTMLElement,
    bar: HTMLElement,
    canvas: HTMLElement,
  ) {
    this.button = element('button', {
      className: 'panel icon-button style-toggle',
      id: 'style-toggle',
      type: 'button',
      title: 'Style',
    });
    this.button.innerHTML = PALETTE_ICON;
    this.button.setAttribute('aria-label', 'Style');
    this.button.setAttribute('aria-controls', panel.id);
    this.button.setAttribute('aria-expanded', 'false');
    this.button.addEventListener('click', () => this.setOpen(!this.isOpen));
    bar.prepend(this.button);

    const close = element('button', {
      className: 'icon-button sheet-close',
      type: 'button',
      title: 'Close',
    });
    close.setAttribute('aria-label', 'Close the style sheet');
    close.textContent = '×';
    close.addEventListener('click', () => this.setOpen(false));
    panel.prepend(
      element('header', { className: 'sheet-header' }, element('h2', {}, 'Style'), close),
    );
    canvas.addEventListener('pointerdown', () => this.setOpen(false));
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.setOpen(false);
    });
  }

  get isOpen(): boolean {
    return this.panel.classList.contains('is-open');
  }

  setOpen(open: boolean): void {
    this.panel.classList.toggle('is-open', open);
    this.button.setAttribute('aria-expanded', String(open));
    this.button.classList.toggle('is-active', open);
  }
}
