/**
 * How `strokeStyle` and `opacity` are drawn, shared by the Konva view and the SVG renderer so
 * the editor, the viewer and the server's image agree:
 * - `solid`: no dash. `dashed`: dashes of 4 × the stroke width with gaps of 3 ×. `dotted`:
 *   round dots (a zero-length dash with round caps) 2.5 × the stroke width apart. Thin strokes
 *   get a floor, so a 1 px dashed line still reads as dashed.
 * - The dash applies to the outline of rect, ellipse and image, and to the shaft of a line or
 *   arrow; an arrow's head stays solid (a dashed head is unreadable). Pen strokes, text and
 *   sticky notes have no outline to dash.
 * - `opacity` applies to the whole shape (outline, fill, label) at once.
 */
import type { ShapeType, StrokeStyle } from '../board/shape.ts';

/** The types whose outline (or shaft) `strokeStyle` dashes. */
export const DASHABLE_TYPES: readonly ShapeType[] = ['rect', 'ellipse', 'line', 'arrow', 'image'];

const DASH_MIN = 6;
const GAP_MIN = 4;
const DOT_SPACING_MIN = 5;

/** Dash pattern (on, off, …) for a stroke; empty for a solid one. */
export function strokeDash(style: StrokeStyle, strokeWidth: number): number[] {
  if (style === 'dashed') {
    return [Math.max(DASH_MIN, strokeWidth * 4), Math.max(GAP_MIN, strokeWidth * 3)];
  }
  if (style === 'dotted') return [0, Math.max(DOT_SPACING_MIN, strokeWidth * 2.5)];
  return [];
}

/** Whether a style draws round caps (dots are zero-length dashes made round by their caps). */
export function strokeNeedsRoundCaps(style: StrokeStyle): boolean {
  return style === 'dotted';
}
