/**
 * Board colours as drawn in a theme. The document keeps the colours people picked; a dark
 * theme only changes how they are shown, as Excalidraw does: each colour goes through the CSS
 * filter `invert(93%) hue-rotate(180deg)`, computed here so the canvas draws the result (no
 * filter on the page). Dark ink turns light, light fills turn dark, and hues stay recognisable
 * (a red stays red, a pale blue fill becomes a deep blue). White becomes the dark canvas colour.
 *
 *   displayColor('#1e1e1e', 'dark')    → 'rgb(211, 211, 211)'
 *   displayShape(shape, 'dark')        → the shape with `stroke` and `fill` mapped (a copy)
 *
 * Anything that is not a colour this parser knows (a named colour other than the basics, a
 * gradient) is left as it is rather than guessed.
 */
import type { Shape } from '../../common/board/shape.ts';
import { stickyFill } from '../../common/render/shape-geometry.ts';

export type Theme = 'light' | 'dark';

/** How far the dark theme inverts (CSS `invert(93%)`): white lands on #121212, not black. */
const INVERT_AMOUNT = 0.93;

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

const NAMED: Record<string, string> = {
  black: '#000000',
  white: '#ffffff',
  red: '#ff0000',
  green: '#008000',
  blue: '#0000ff',
  yellow: '#ffff00',
  orange: '#ffa500',
  gray: '#808080',
  grey: '#808080',
};

/** How `color` (a CSS colour from the document) is drawn in `theme`. */
export function displayColor(color: string, theme: Theme): string {
  if (theme === 'light') return color;
  const rgba = parseColor(color);
  if (!rgba || rgba.a === 0) return color;
  const { r, g, b } = hueRotate180(invert(rgba));
  const channels = `${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}`;
  return rgba.a === 1 ? `rgb(${channels})` : `rgba(${channels}, ${rgba.a})`;
}

/** `shape` as drawn in `theme`: the same object in light, a copy with mapped colours in dark. */
export function displayShape(shape: Shape, theme: Theme): Shape {
  if (theme === 'light') return shape;
  // A sticky note's transparent fill means the default yellow: map that yellow, so the note
  // is drawn in the dark palette like everything else.
  const fill = shape.type === 'sticky' ? stickyFill(shape) : shape.fill;
  return {
    ...shape,
    stroke: displayColor(shape.stroke, theme),
    fill: displayColor(fill, theme),
  };
}

export function parseColor(input: string): Rgba | null {
  const color = input.trim().toLowerCase();
  const named = NAMED[color];
  if (named) return parseHex(named);
  if (color.startsWith('#')) return parseHex(color);
  const fn = /^rgba?\(\s*([^)]*)\)$/.exec(color);
  return fn ? parseRgbArgs(fn[1] ?? '') : null;
}

function parseHex(hex: string): Rgba | null {
  const digits = hex.slice(1);
  if (!/^[0-9a-f]+$/.test(digits)) return null;
  const expand = (s: string) => (s.length <= 4 ? [...s].map((c) => c + c).join('') : s);
  const full = expand(digits);
  if (full.length !== 6 && full.length !== 8) return null;
  const channel = (i: number) => parseInt(full.slice(i, i + 2), 16);
  return {
    r: channel(0),
    g: channel(2),
    b: channel(4),
    a: full.length === 8 ? Math.round((channel(6) / 255) * 1000) / 1000 : 1,
  };
}

/** `rgb(1, 2, 3)`, `rgba(1, 2, 3, 0.5)`, `rgb(1 2 3 / 50%)`. */
function parseRgbArgs(args: string): Rgba | null {
  const parts = args.split(/[\s,/]+/).filter(Boolean);
  if (parts.length !== 3 && parts.length !== 4) return null;
  const value = (part: string, scale: number) =>
    part.endsWith('%') ? (parseFloat(part) / 100) * scale : parseFloat(part);
  const [r, g, b] = parts.slice(0, 3).map((part) => value(part, 255)) as [number, number, number];
  const a = parts[3] === undefined ? 1 : value(parts[3], 1);
  if (![r, g, b, a].every(Number.isFinite)) return null;
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(a, 1) };
}

/** CSS `invert(p)`: each channel moves towards its opposite by `p`. */
function invert({ r, g, b, a }: Rgba): Rgba {
  const flip = (c: number) => c * (1 - 2 * INVERT_AMOUNT) + 255 * INVERT_AMOUNT;
  return { r: flip(r), g: flip(g), b: flip(b), a };
}

/** CSS `hue-rotate(180deg)`: the Filter Effects matrix at cos = −1, sin = 0, clamped. */
function hueRotate180({ r, g, b, a }: Rgba): Rgba {
  const clamp = (v: number) => Math.min(255, Math.max(0, v));
  return {
    r: clamp(-0.574 * r + 1.43 * g + 0.144 * b),
    g: clamp(0.426 * r + 0.43 * g + 0.144 * b),
    b: clamp(0.426 * r + 1.43 * g - 0.856 * b),
    a,
  };
}
