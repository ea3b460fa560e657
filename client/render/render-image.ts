/**
 * Draws shapes into a fresh canvas, off screen (for PNG export): the image covers the shapes'
 * ink plus a margin, on a solid background (or none), at `pixelRatio` device pixels per board unit.
 */
import Konva from 'konva';
import type { Shape } from '../../common/board/shape.ts';
import { shapeInkBounds, unionBounds } from '../../common/render/shape-geometry.ts';
import { resolveBoundShape } from '../../common/render/line-ends.ts';
import { ASSET_IMAGES_ATTR, type AssetImages } from './asset-images.ts';
import { ShapeLayer } from './shape-layer.ts';

export interface RenderImageOptions {
  pixelRatio?: number;
  /** Board units of empty space around the shapes. */
  margin?: number;
  /** The background fill; null: transparent. */
  background?: string | null;
  /** Where image shapes get their pictures; load them first (`images.ready`), this draws at once. */
  images?: AssetImages;
}

const EMPTY_IMAGE_SIZE = 100;

export function renderShapesToCanvas(
  shapes: readonly Shape[],
  { pixelRatio = 2, margin = 24, background = '#ffffff', images }: RenderImageOptions = {},
): HTMLCanvasElement {
  const byId = new Map(shapes.map((shape) => [shape.id, shape]));
  const drawn = shapes.map((shape) => resolveBoundShape(shape, (id) => byId.get(id)));
  const ink = unionBounds(drawn.map(shapeInkBounds)) ?? {
    x: 0,
    y: 0,
    width: EMPTY_IMAGE_SIZE,
    height: EMPTY_IMAGE_SIZE,
  };
  const width = Math.ceil(ink.width + 2 * margin);
  const height = Math.ceil(ink.height + 2 * margin);
  const container = document.createElement('div');
  const stage = new Konva.Stage({ container, width, height });
  try {
    const backdrop = new Konva.Layer({ listening: false });
    if (background !== null) backdrop.add(new Konva.Rect({ width, height, fill: background }));
    const layer = new ShapeLayer(new Konva.Layer({ x: margin - ink.x, y: margin - ink.y }));
    if (images) layer.layer.setAttr(ASSET_IMAGES_ATTR, images);
    layer.apply(shapes);
    stage.add(backdrop, layer.layer);
    return stage.toCanvas({ pixelRatio });
  } finally {
    stage.destroy();
  }
}
