/**
 * On a small screen the toolbar sits at the bottom, full width, and keeps every tool reachable:
 * the tools that fit stay in the bar, the rest fold into a "More tools" popover opened from the
 * last slot. The fold is measured, not fixed, so it adapts to the screen width and to tools
 * added later. While a folded tool is active, the More button shows its icon, highlighted.
 * On a wide screen nothing folds.
 */
import { element } from './dialog.ts';

const MORE_ICON =
  '<svg viewBox="0 0 24 24" width="20" height="20" fill="currentColor" aria-hidden="true"><circle cx="5" cy="12" r="1.8"/><circle cx="12" cy="12" r="1.8"/><circle cx="19" cy="12" r="1.8"/></svg>';

export class ToolbarFold {
  /** The toolbar's children as built (tools and dividers), in order. */
  private readonly items: Element[];
  private readonly tools: HTMLElement[];
  private readonly more: HTMLButtonElement;
  private readonly popover: HTMLElement;
  /** How many tools are folded now (-1 before the first layout). */
  private folded = -1;

  constructor(
    private readonly toolbar: HTMLElement,
    private readonly small: MediaQueryList,
  ) {
    this.items = [...toolbar.children];
    this.tools = [...toolbar.querySelectorAll<HTMLElement>('.tool-button[data-tool]')];
    this.more = element('button', {
      className: 'tool-button tool-more',
      id: 'more-tools',
      type: 'button',
      title: 'More tools',
    });
    this.more.setAttribute('aria-label', 'More tools');
    this.more.setAttribute('aria-haspopup', 'true');
    this.more.setAttribute('aria-expanded', 'false');
    this.more.hidden = true;
    this.popover = element('div', { className: 'panel tool-more-menu', id: 'more-tools-menu' });
    this.popover.hidden = true;
    this.popover.setAttribute('aria-label', 'More tools');
    toolbar.append(this.more, this.popover);

    this.more.addEventListener('click', (event) => {
      event.stopPropagation();
      this.setOpen(this.popover.hidden === true);
    });
    // Picking a tool closes the popover; so does a press anywhere else, or Escape.
    this.popover.addEventListener('click', () => this.setOpen(false));
    document.addEventListener('pointerdown', (event) => {
      if (!this.toolbar.contains(event.target as Node)) this.setOpen(false);
    });
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.setOpen(false);
    });
    new MutationObserver(() => this.showActive()).observe(toolbar, {
      subtree: true,
      attributeFilter: ['class'],
    });
    small.addEventListener('change', () => this.layout());
    new ResizeObserver(() => this.layout()).observe(toolbar);
    this.layout();
  }

  private layout(): void {
    const fits = this.small.matches ? this.slots() : this.tools.length;
    const folded = fits >= this.tools.length ? 0 : this.tools.length - (fits - 1);
    if (folded === this.folded) return;
    this.folded = folded;
    const inMenu = new Set<Element>(this.tools.slice(this.tools.length - folded));
    this.toolbar.prepend(...this.items.filter((item) => !inMenu.has(item)));
    this.popover.append(...inMenu);
    this.more.hidden = folded === 0;
    if (folded === 0) this.setOpen(false);
    this.showActive();
  }

  /** How many buttons fit in the bar (the More button takes one when anything folds). */
  private slots(): number {
    const style = getComputedStyle(this.toolbar);
    const inner =
      this.toolbar.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const size = this.tools[0]?.getBoundingClientRect().width || 44;
    return Math.max(2, Math.floor(inner / size));
  }

  private showActive(): void {
    const active = [...this.popover.querySelectorAll<HTMLElement>('.tool-button.is-active')][0];
    const icon = active?.querySelector('svg')?.outerHTML ?? MORE_ICON;
    if (this.more.innerHTML !== icon) this.more.innerHTML = icon;
    this.more.classList.toggle('has-active', active !== undefined);
  }

  private setOpen(open: boolean): void {
    if (open && this.more.hidden) return;
    this.popover.hidden = !open;
    this.more.setAttribute('aria-expanded', String(open));
  }
}
