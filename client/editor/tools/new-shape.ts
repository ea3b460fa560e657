/** A new shape of the current style, on top of everything else. */
import { newShapeId } from '../../../common/board/ids.ts';
import { defaultTextAlign, type Shape, type ShapeType } from '../../../common/board/shape.ts';
import type { ShapeStyle } from '../style-defaults.ts';

export function newShape(
  type: ShapeType,
  fields: Partial<Shape> & Pick<Shape, 'x' | 'y'>,
  style: ShapeStyle,
  z: number,
): Shape {
  return {
    id: newShapeId(),
    type,
    width: 0,
    height: 0,
    rotation: 0,
    points: [],
    text: '',
    textAlign: defaultTextAlign(type),
    locked: false,
    ...style,
    // Line-like shapes and text have no fill; a sticky's transparent fill means its default yellow.
    fill: type === 'rect' || type === 'ellipse' || type === 'sticky' ? style.fill : 'transparent',
    z,
    ...fields,
  };
}
