/**
 * The Konva drawing of shapes, shared by the editor and the read-only viewer (no Yjs here).
 * See shape-node.ts (one shape ↔ one Konva group) and shape-layer.ts (a layer synced to a set
 * of shapes, incrementally, with culling and, zoomed far out, level of detail: level-of-detail.ts).
 */
export { createShapeNode, updateShapeNode, shapeIdOfNode, SHAPE_NODE_NAME } from './shape-node.ts';
export { ShapeLayer, type ShapeLayerOptions } from './shape-layer.ts';
export { renderShapesToCanvas } from './render-image.ts';
export { useOverview, drawOverview, LOD_MAX_ZOOM, LOD_MIN_SHAPES } from './level-of-detail.ts';
export { displayColor, displayShape, type Theme } from './palette.ts';
