/**
 * The style new shapes get: the last stroke colour, fill, stroke width, stroke style, font size
 * and opacity chosen in the style panel, remembered across visits in localStorage.
 */
import {
  SHAPE_DEFAULTS,
  STROKE_STYLES,
  isColor,
  type StrokeStyle,
} from '../../common/board/shape.ts';

export interface ShapeStyle {
  stroke: string;
  fill: string;
  strokeWidth: number;
  fontSize: number;
  strokeStyle: StrokeStyle;
  opacity: number;
}

const STORAGE_KEY = 'boardcast.style';

export class StyleDefaults {
  private value: ShapeStyle;
  private readonly listeners = new Set<(style: ShapeStyle) => void>();

  constructor(private readonly storage: Storage) {
    this.value = { ...defaultStyle(), ...readStoredStyle(storage) };
  }

  get current(): ShapeStyle {
    return this.value;
  }

  set(change: Partial<ShapeStyle>): void {
    this.value = { ...this.value, ...change };
    this.storage.setItem(STORAGE_KEY, JSON.stringify(this.value));
    for (const listener of this.listeners) listener(this.value);
  }

  onChange(listener: (style: ShapeStyle) => void): void {
    this.listeners.add(listener);
  }
}

function defaultStyle(): ShapeStyle {
  const { stroke, fill, strokeWidth, fontSize, strokeStyle, opacity } = SHAPE_DEFAULTS;
  return { stroke, fill, strokeWidth, fontSize, strokeStyle, opacity };
}

function readStoredStyle(storage: Storage): Partial<ShapeStyle> {
  try {
    const stored: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}');
    if (typeof stored !== 'object' || stored === null) return {};
    const { stroke, fill, strokeWidth, fontSize, strokeStyle, opacity } = stored as Record<
      string,
      unknown
    >;
    const style: Partial<ShapeStyle> = {};
    if (isColor(stroke)) style.stroke = stroke;
    if (isColor(fill)) style.fill = fill;
    if (typeof strokeWidth === 'number' && strokeWidth > 0 && strokeWidth < 100) {
      style.strokeWidth = strokeWidth;
    }
    if (typeof fontSize === 'number' && fontSize >= 8 && fontSize < 200) style.fontSize = fontSize;
    if ((STROKE_STYLES as readonly unknown[]).includes(strokeStyle)) {
      style.strokeStyle = strokeStyle as StrokeStyle;
    }
    // A shape made invisible by a remembered 0 would puzzle anyone: at least 10 %.
    if (typeof opacity === 'number' && opacity >= 0.1 && opacity <= 1) style.opacity = opacity;
    return style;
  } catch {
    return {}; // a corrupt stored style is not worth an error: the defaults serve
  }
}
