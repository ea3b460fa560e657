/**
 * The Konva drawing of shapes, shared by the editor and the read-only viewer (no Yjs here).
 * See shape-node.ts (one shape ↔ one Konva group) and shape-layer.ts (a layer synced to a set
 * of shapes, incrementally, with culling).
 */
export { createShapeNode, updateShapeNode, shapeIdOfNode, SHAPE_NODE_NAME } from './shape-node.ts';
export { ShapeLayer, type ShapeLayerOptions } from './shape-layer.ts';
export { renderShapesToCanvas } from './render-image.ts';
