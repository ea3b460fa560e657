/** Valid shapes for tests. */
import type { Shape } from '../../common/board/shape.ts';

export function rect(id: string, x = 0, y = 0): Shape {
  return {
    id,
    type: 'rect',
    x,
    y,
    width: 100,
    height: 50,
    rotation: 0,
    points: [],
    stroke: '#1e1e1e',
    fill: 'transparent',
    strokeWidth: 2,
    text: '',
    fontSize: 20,
    z: 0,
  };
}
