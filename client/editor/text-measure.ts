/** Natural size of a text shape's text, measured with the same font Konva draws it in. */
import Konva from 'konva';
import { TEXT_FONT_FAMILY, TEXT_LINE_HEIGHT } from '../../common/render/shape-geometry.ts';

/** Konva wraps a line that is a hair too wide; this slack keeps measured text on one line. */
const WIDTH_SLACK_PX = 2;

/** `wrapWidth`: lines wrap at words to this width, as a text shape with that width draws them. */
export function measureText(
  text: string,
  fontSize: number,
  wrapWidth?: number,
): { width: number; height: number } {
  const probe = new Konva.Text({
    text: text === '' ? ' ' : text,
    fontSize,
    fontFamily: TEXT_FONT_FAMILY,
    lineHeight: TEXT_LINE_HEIGHT,
    ...(wrapWidth ? { width: wrapWidth, wrap: 'word' } : {}),
  });
  const size = {
    width: Math.ceil(probe.width()) + WIDTH_SLACK_PX,
    height: Math.ceil(probe.height()),
  };
  probe.destroy();
  return size;
}

/** Height of `text` wrapped at `width` (as a label is drawn), in board units. */
export function measureWrappedHeight(text: string, fontSize: number, width: number): number {
  const probe = new Konva.Text({
    text: text === '' ? ' ' : text,
    fontSize,
    fontFamily: TEXT_FONT_FAMILY,
    lineHeight: TEXT_LINE_HEIGHT,
    width,
    wrap: 'word',
  });
  const height = Math.ceil(probe.height());
  probe.destroy();
  return height;
}
