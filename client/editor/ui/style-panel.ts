/**
 * The style panel: stroke colour and fill (ten swatches each, plus any colour from the
 * browser's colour picker), stroke width, stroke style (solid, dashed, dotted), font size and
 * opacity. A pick applies to the selection and becomes the default for new shapes; the panel
 * shows the selection's style when there is one, else the defaults. A colour that is none of
 * the swatches shows on the picker's button.
 */
import type { Shape } from '../../../common/board/shape.ts';
import type { ShapeStyle } from '../style-defaults.ts';
import { element } from './dialog.ts';

export const STROKE_COLORS = [
  '#1e1e1e',
  '#e03131',
  '#2f9e44',
  '#1971c2',
  '#f08c00',
  '#9c36b5',
  '#868e96',
  '#e8590c',
  '#0c8599',
  '#6741d9',
];
export const FILL_COLORS = [
  'transparent',
  '#ffc9c9',
  '#b2f2bb',
  '#a5d8ff',
  '#ffec99',
  '#eebefa',
  '#ffffff',
  '#ffd8a8',
  '#99e9f2',
  '#d0bfff',
];
export const STROKE_STYLES = [
  { value: 'solid', label: 'Solid' },
  { value: 'dashed', label: 'Dashed' },
  { value: 'dotted', label: 'Dotted' },
];
const STROKE_STYLE_SAMPLES: Record<string, string> = {
  solid:
    '<svg viewBox="0 0 16 4" width="16" height="4"><path d="M1 2h14" stroke="currentColor" stroke-width="2"/></svg>',
  dashed:
    '<svg viewBox="0 0 16 4" width="16" height="4"><path d="M1 2h14" stroke="currentColor" stroke-width="2" stroke-dasharray="4 3"/></svg>',
  dotted:
    '<svg viewBox="0 0 16 4" width="16" height="4"><path d="M2 2h13" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-dasharray="0 4"/></svg>',
};
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
type ColorKey = 'stroke' | 'fill';

export class StylePanel {
  private readonly groups = new Map<StyleKey, HTMLButtonElement[]>();
  private readonly customColors = new Map<ColorKey, HTMLInputElement>();
  private readonly opacity: HTMLInputElement;

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
      this.group('strokeStyle', 'Stroke style', STROKE_STYLES),
      this.group('fontSize', 'Font size', FONT_SIZES),
    );
    this.opacity = element('input', {
      type: 'range',
      min: '0',
      max: '100',
      step: '5',
      className: 'opacity-slider',
      id: 'style-opacity',
    });
    this.opacity.setAttribute('aria-label', 'Opacity');
    // One change (and one undo step) when the slider is let go, not one per pixel.
    this.opacity.addEventListener('change', () =>
      this.onPick({ opacity: Number(this.opacity.value) / 100 }),
    );
    root.append(
      element('section', { className: 'style-group' }, element('h3', {}, 'Opacity'), this.opacity),
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
    for (const [key, input] of this.customColors) {
      const value = style[key];
      const custom = !(key === 'stroke' ? STROKE_COLORS : FILL_COLORS).includes(value);
      const button = input.parentElement as HTMLElement;
      button.classList.toggle('is-active', custom);
      if (custom && /^#[0-9a-f]{6}$/i.test(value)) input.value = value;
      (button.firstElementChild as HTMLElement).style.background = custom ? value : '';
    }
    this.opacity.value = String(Math.round(style.opacity * 100));
  }

  /** A swatch-sized button over an <input type=color>: any colour, picked the browser's way. */
  private customColor(key: ColorKey): HTMLElement {
    const input = element('input', { type: 'color', className: 'color-input' });
    input.dataset.customColor = key;
    input.setAttribute('aria-label', `${key} custom colour`);
    input.addEventListener('change', () => this.onPick({ [key]: input.value }));
    this.customColors.set(key, input);
    const label = element(
      'label',
      { className: 'style-option custom-color', title: 'Custom colour' },
      element('span', { className: 'swatch swatch-custom' }),
      input,
    );
    return label;
  }

  private group(
    key: StyleKey,
    title: string,
    options: { value: string | number; label: string }[],
  ): HTMLElement {
    const buttons = options.map((option) => this.button(key, option));
    this.groups.set(key, buttons);
    const extra = key === 'stroke' || key === 'fill' ? [this.customColor(key)] : [];
    return element(
      'section',
      { className: 'style-group' },
      element('h3', {}, title),
      element('div', { className: 'style-options' }, ...buttons, ...extra),
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
    } else if (key === 'strokeStyle') {
      button.innerHTML = STROKE_STYLE_SAMPLES[String(value)] ?? label;
    } else {
      button.append(label);
    }
    button.addEventListener('click', () => this.onPick({ [key]: value } as Partial<ShapeStyle>));
    return button;
  }
}
