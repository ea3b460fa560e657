/**
 * The style panel: stroke colour, fill (with transparent), stroke width and font size. A pick
 * applies to the selection and becomes the default for new shapes; the panel shows the
 * selection's style when there is one, else the defaults.
 */
import type { Shape } from '../../../common/board/shape.ts';
import type { ShapeStyle } from '../style-defaults.ts';
import { element } from './dialog.ts';

export const STROKE_COLORS = ['#1e1e1e', '#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5'];
export const FILL_COLORS = ['transparent', '#ffc9c9', '#b2f2bb', '#a5d8ff', '#ffec99', '#eebefa'];
export const STROKE_WIDTHS = [
  { value: 1, label: 'Thin' },
  { value: 2, label: 'Regular' },
  { value: 4, label: 'Bold' },
  { value: 8, label: 'Extra bold' },
];
export const FONT_SIZES = [
  { value: 16, label: 'S' },
  { value: 20, label: 'M' },
  { value: 28, label: 'L' },
  { value: 40, label: 'XL' },
];

type StyleKey = keyof ShapeStyle;

export class StylePanel {
  private readonly groups = new Map<StyleKey, HTMLButtonElement[]>();

  constructor(
    root: HTMLElement,
    private readonly onPick: (change: Partial<ShapeStyle>) => void,
  ) {
    root.append(
      this.group(
        'stroke',
        'Stroke',
        STROKE_COLORS.map((c) => ({ value: c, label: c })),
      ),
      this.group(
        'fill',
        'Fill',
        FILL_COLORS.map((c) => ({ value: c, label: c === 'transparent' ? 'Transparent' : c })),
      ),
      this.group('strokeWidth', 'Stroke width', STROKE_WIDTHS),
      this.group('fontSize', 'Font size', FONT_SIZES),
    );
  }

  /** Marks the values of `style` (the selection's first shape, or the defaults). */
  show(style: ShapeStyle | Shape): void {
    for (const [key, buttons] of this.groups) {
      for (const button of buttons) {
        const active = button.dataset.value === String(style[key]);
        button.classList.toggle('is-active', active);
        button.setAttribute('aria-pressed', String(active));
      }
    }
  }

  private group(
    key: StyleKey,
    title: string,
    options: { value: string | number; label: string }[],
  ): HTMLElement {
    const buttons = options.map((option) => this.button(key, option));
    this.groups.set(key, buttons);
    return element(
      'section',
      { className: 'style-group' },
      element('h3', {}, title),
      element('div', { className: 'style-options' }, ...buttons),
    );
  }

  private button(
    key: StyleKey,
    { value, label }: { value: string | number; label: string },
  ): HTMLButtonElement {
    const button = element('button', { className: 'style-option', title: label });
    button.dataset.style = key;
    button.dataset.value = String(value);
    button.setAttribute('aria-label', `${key} ${label}`);
    if (key === 'stroke' || key === 'fill') {
      const swatch = element('span', {
        className: value === 'transparent' ? 'swatch swatch-transparent' : 'swatch',
      });
      swatch.style.background = value === 'transparent' ? '' : String(value);
      button.append(swatch);
    } else if (key === 'strokeWidth') {
      const line = element('span', { className: 'width-sample' });
      line.style.height = `${Math.min(Number(value), 6)}px`;
      button.append(line);
    } else {
      button.append(label);
    }
    button.addEventListener('click', () => this.onPick({ [key]: value } as Partial<ShapeStyle>));
    return button;
  }
}
