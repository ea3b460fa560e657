/**
 * Keeps one Konva.Layer in step with a set of plain `Shape`s, incrementally: `apply` touches only
 * the shapes it is given, keeps paint order (z, then id) and culls shapes outside the viewport
 * (hidden, so Konva neither draws nor hit-tests them). Used by the editor and the viewer.
 *
 *   const shapes = new ShapeLayer(new Konva.Layer(), { listening: false });
 *   stage.add(shapes.layer);
 *   shapes.apply(changedShapes, removedIds);   // or shapes.replaceAll(snapshot.shapes)
 *   shapes.setViewport({ x, y, width, height }); // board coordinates; null = no culling
 */
import Konva from 'konva';
import { comparePaintOrder, type Shape } from '../../common/board/shape.ts';
import {
  boundsIntersect,
  shapeInkBounds,
  type Bounds,
} from '../../common/render/shape-geometry.ts';
import { createShapeNode, updateShapeNode } from './shape-node.ts';

export interface ShapeLayerOptions {
  /** Whether shapes take pointer events (the editor hit-tests them; the viewer does not). */
  listening?: boolean;
}

export class ShapeLayer {
  readonly layer: Konva.Layer;
  private readonly nodes = new Map<string, Konva.Group>();
  private readonly shapes = new Map<string, Shape>();
  private readonly bounds = new Map<string, Bounds>();
  private viewport: Bounds | null = null;

  constructor(layer: Konva.Layer = new Konva.Layer(), options: ShapeLayerOptions = {}) {
    this.layer = layer;
    this.layer.listening(options.listening ?? false);
  }

  get size(): number {
    return this.shapes.size;
  }

  getShape(id: string): Shape | undefined {
    return this.shapes.get(id);
  }

  getNode(id: string): Konva.Group | undefined {
    return this.nodes.get(id);
  }

  /** Every shape, in paint order. */
  allShapes(): Shape[] {
    return [...this.shapes.values()].sort(comparePaintOrder);
  }

  /** Ids of shapes drawn now (inside the viewport). */
  visibleIds(): string[] {
    return [...this.nodes].filter(([, node]) => node.visible()).map(([id]) => id);
  }

  /** Adds or updates `upserts`, removes `removedIds`, then redraws once. */
  apply(upserts: Iterable<Shape>, removedIds: Iterable<string> = []): void {
    for (const id of removedIds) this.removeOne(id);
    const sorted = [...upserts].sort(comparePaintOrder);
    for (const shape of sorted) this.upsertOne(shape);
    this.layer.batchDraw();
  }

  /** Makes the layer show exactly `shapes`. */
  replaceAll(shapes: Iterable<Shape>): void {
    const list = [...shapes];
    const keep = new Set(list.map((shape) => shape.id));
    this.apply(
      list,
      [...this.shapes.keys()].filter((id) => !keep.has(id)),
    );
  }

  /** Board-space rectangle on screen; shapes outside it are hidden. Null shows everything. */
  setViewport(viewport: Bounds | null): void {
    this.viewport = viewport;
    for (const [id, node] of this.nodes) {
      // Only flips: setting an unchanged attribute still costs Konva events and cache work.
      const inView = this.isInView(id);
      if (node.visible() !== inView) node.visible(inView);
    }
    this.layer.batchDraw();
  }

  private isInView(id: string): boolean {
    const bounds = this.bounds.get(id);
    return !this.viewport || !bounds || boundsIntersect(bounds, this.viewport);
  }

  private removeOne(id: string): void {
    this.nodes.get(id)?.destroy();
    this.nodes.delete(id);
    this.shapes.delete(id);
    this.bounds.delete(id);
  }

  private upsertOne(shape: Shape): void {
    const previous = this.shapes.get(shape.id);
    this.shapes.set(shape.id, shape);
    this.bounds.set(shape.id, shapeInkBounds(shape));
    let node = this.nodes.get(shape.id);
    if (!node) {
      node = createShapeNode(shape);
      this.nodes.set(shape.id, node);
      this.insertInPaintOrder(node, shape);
    } else {
      updateShapeNode(node, shape);
      if (previous && previous.z !== shape.z) {
        node.remove();
        this.insertInPaintOrder(node, shape);
      }
    }
    node.visible(this.isInView(shape.id));
  }

  /** Children are kept sorted, so a binary search finds the slot; appending is the usual case. */
  private insertInPaintOrder(node: Konva.Group, shape: Shape): void {
    const children = this.layer.getChildren();
    const count = children.length;
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.shapes.get((children[mid] as Konva.Node).id());
      if (other && comparePaintOrder(other, shape) < 0) low = mid + 1;
      else high = mid;
    }
    this.layer.add(node);
    if (low < count) node.zIndex(low);
  }
}
