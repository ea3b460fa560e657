/**
 * Renaming oneself, in a small popover under the avatars (never a modal: the board stays
 * usable). Enter or a click outside saves, Escape leaves the name as it was. The first-visit
 * hint ("You are Guest 375 · click your avatar to rename") is a bubble in the same place, with
 * its own close button; it never takes the focus.
 */
import { cleanName, MAX_NAME_LENGTH } from '../identity.ts';
import { element } from './dialog.ts';

export class NamePopover {
  private open: HTMLElement | null = null;

  constructor(private readonly anchor: HTMLElement) {
    document.addEventListener('pointerdown', (event) => {
      if (this.isOpen && !this.open?.contains(event.target as Node)) this.save();
    });
  }

  get isOpen(): boolean {
    return this.open?.classList.contains('name-popover') ?? false;
  }

  /** Opens the rename field with `current` selected; `onName` hears a new, non-empty name. */
  edit(current: string, onName: (name: string) => void): void {
    this.close();
    const input = element('input', { type: 'text', value: current, maxLength: MAX_NAME_LENGTH });
    input.setAttribute('aria-label', 'Your name');
    const form = element(
      'form',
      { className: 'name-popover' },
      element('label', {}, 'Your name, as others see it'),
      input,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    input.addEventListener('keydown', (event) => {
      event.stopPropagation(); // the editor's shortcuts must not fire while typing
      if (event.key === 'Escape') this.close();
    });
    this.saveTo = () => {
      const name = cleanName(input.value);
      if (name && name !== current) onName(name);
    };
    this.show(form);
    input.focus();
    input.select();
  }

  /** The first-visit hint: who you are here and how to change it. Closing it calls `onClose`. */
  hint(name: string, onClose: () => void): void {
    const close = element('button', { className: 'icon-button', type: 'button' }, '×');
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => {
      this.close();
      onClose();
    });
    const bubble = element(
      'div',
      { className: 'name-hint' },
      element('span', {}, `You are ${name} here. Click your avatar to rename.`),
      close,
    );
    bubble.setAttribute('role', 'status');
    this.show(bubble);
  }

  close(): void {
    this.saveTo = null;
    this.open?.remove();
    this.open = null;
  }

  private saveTo: (() => void) | null = null;

  private save(): void {
    const save = this.saveTo;
    this.close();
    save?.();
  }

  private show(content: HTMLElement): void {
    this.open = content;
    this.anchor.append(content);
  }
}
