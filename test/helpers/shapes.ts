/** Valid shapes for tests: the schema's defaults, with what a test cares about on top. */
import { SHAPE_DEFAULTS, type Shape } from '../../common/board/shape.ts';

export function rect(id: string, x = 0, y = 0, fields: Partial<Shape> = {}): Shape {
  return {
    ...SHAPE_DEFAULTS,
    id,
    type: 'rect',
    x,
    y,
    width: 100,
    height: 50,
    points: [],
    ...fields,
  };
}
