/**
 * The Konva stage and its layers: the shapes (ShapeLayer, hit-tested by the tools) and an
 * overlay for drafts, the marquee, the transformer and others' selections. The dot grid is a
 * CSS background on the container, moved with the viewport, so it costs no canvas drawing.
 */
import Konva from 'konva';
import { ShapeLayer } from '../render/shape-layer.ts';
import type { Viewport } from './viewport.ts';

const GRID_SPACING = 24;
/** Below this zoom the grid would be a grey haze; it is hidden instead. */
const MIN_GRID_ZOOM = 0.3;
/** Culling keeps a margin off screen so shapes do not pop in at the edges while panning. */
const CULL_MARGIN_PX = 200;

export class Canvas {
  readonly stage: Konva.Stage;
  readonly shapes: ShapeLayer;
  /** Drafts, marquee, transformer: above the shapes. */
  readonly overlay: Konva.Layer;

  constructor(
    readonly container: HTMLDivElement,
    private readonly viewport: Viewport,
  ) {
    this.stage = new Konva.Stage({ container, width: 1, height: 1 });
    this.shapes = new ShapeLayer(new Konva.Layer(), { listening: true });
    this.overlay = new Konva.Layer();
    this.stage.add(this.shapes.layer, this.overlay);
    viewport.onChange(() => this.applyViewport());
    new ResizeObserver(() => this.fitToContainer()).observe(container);
    this.fitToContainer();
  }

  /**
   * The Konva shape under a screen point (shapes and transformer handles), or null. Zoomed far
   * out, the shape layer draws an overview that Konva does not hit-test: shapes are then found
   * by their bounds (a part of the shape's node stands for it, as `shapeIdOfNode` expects).
   */
  hitTest(screen: { x: number; y: number }): Konva.Shape | null {
    this.shapes.ensureHitGraph();
    const hit = this.stage.getIntersection(screen);
    if (hit || !this.shapes.overviewActive) return hit;
    const id = this.shapes.shapeAt(this.viewport.toBoard(screen));
    const part = id ? this.shapes.getNode(id)?.getChildren()[0] : undefined;
    return part instanceof Konva.Shape ? part : null;
  }

  private fitToContainer(): void {
    const { width, height } = this.container.getBoundingClientRect();
    this.stage.size({ width, height });
    this.viewport.resize(width, height);
  }

  private applyViewport(): void {
    const { pan, zoom } = this.viewport;
    this.stage.position(pan);
    this.stage.scale({ x: zoom, y: zoom });
    const margin = CULL_MARGIN_PX / zoom;
    const visible = this.viewport.visibleBounds();
    this.shapes.setViewport({
      x: visible.x - margin,
      y: visible.y - margin,
      width: visible.width + 2 * margin,
      height: visible.height + 2 * margin,
    });
    this.overlay.batchDraw();
    this.drawGrid();
  }

  private drawGrid(): void {
    const { pan, zoom } = this.viewport;
    const style = this.container.style;
    if (zoom < MIN_GRID_ZOOM) {
      style.backgroundImage = 'none';
      return;
    }
    const spacing = GRID_SPACING * zoom;
    style.backgroundImage = 'radial-gradient(circle, var(--grid-dot) 1px, transparent 1.2px)';
    style.backgroundSize = `${spacing}px ${spacing}px`;
    style.backgroundPosition = `${pan.x - spacing / 2}px ${pan.y - spacing / 2}px`;
  }
}
