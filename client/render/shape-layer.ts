/**
 * Keeps one Konva.Layer in step with a set of plain `Shape`s, incrementally: `apply` touches only
 * the shapes it is given, keeps paint order (z, then id) and culls shapes outside the viewport.
 * Culled shapes are not in the layer at all: only the nodes of shapes in view are its children
 * (Konva walks every child, hidden or not, on each draw, hit draw and stage move), and a shape's
 * node is made the first time it is in view (or asked for), so a big board costs plain data
 * until it is looked at. Used by the editor, the viewer and the PNG export.
 *
 *   const shapes = new ShapeLayer(new Konva.Layer(), { listening: false });
 *   stage.add(shapes.layer);
 *   shapes.apply(changedShapes, removedIds);   // or shapes.replaceAll(snapshot.shapes)
 *   shapes.setViewport({ x, y, width, height }); // board coordinates; null = no culling
 *
 * Level of detail (level-of-detail.ts): zoomed far out with many shapes in view, the group of
 * shape nodes is hidden and one overview shape draws the in-view shapes cheaply instead. The
 * zoom is the layer's absolute scale, so set the stage's scale before `setViewport`. While the
 * overview shows (`overviewActive`), the layer holds no shape nodes (but pinned ones, hidden) and
 * Konva hit-tests no shape: `shapeAt` finds one by its bounds.
 *
 * Pinned shapes (`pin(ids)`: the selection, whose nodes the transformer holds) keep their nodes
 * in the layer wherever they are, so their screen transform stays right.
 *
 * Bound lines and arrows (common/render/line-ends.ts) are drawn with their ends on the shapes
 * they are bound to: a BindingIndex says which lines to draw again when a shape changes or goes,
 * so moving a shape moves its arrows with no change to the arrows themselves.
 *
 * Theme (palette.ts): `setTheme('dark')` redraws every shape with its colours adapted to a dark
 * canvas; the shapes (`getShape`, `allShapes`, `drawnShapes`) keep the document's colours.
 */
import Konva from 'konva';
import { comparePaintOrder, type Shape } from '../../common/board/shape.ts';
import {
  PAPER_COLOR,
  boundsIntersect,
  shapeInkBounds,
  type Bounds,
} from '../../common/render/shape-geometry.ts';
import {
  BindingIndex,
  resolveBoundShape,
  type ShapeLookup,
} from '../../common/render/line-ends.ts';
import { drawOverview, useOverview, type OverviewItem } from './level-of-detail.ts';
import { displayColor, displayShape, type Theme } from './palette.ts';
import { SpatialGrid } from './spatial-grid.ts';
import { createShapeNode, updateShapeNode } from './shape-node.ts';

export interface ShapeLayerOptions {
  /** Whether shapes take pointer events (the editor hit-tests them; the viewer does not). */
  listening?: boolean;
}

export interface ShapeLayerStats {
  shapesInView: number;
  /** Shape nodes that are children of the layer (culled ones are not). */
  layerNodes: number;
  /** Nodes kept out of the layer for shapes that left the view (at most MAX_SPARE_NODES). */
  spareNodes: number;
  /** Whether the far-out overview draws instead of the nodes. */
  overview: boolean;
  /** Milliseconds the last viewport change spent adding and removing nodes. */
  lastAttachMs: number;
  /** Milliseconds spent in `apply` since the layer was made (board changes reaching it). */
  applyMsTotal: number;
}

/**
 * One shape with its node (null until first needed), its ink bounds, whether it is in view and
 * whether its node is a child of the layer (`attached`). `shape` is the shape as drawn (a bound
 * line's ends placed), `stored` as the board holds it, `themed` the drawn shape in the layer's
 * theme colours (what the node and the overview paint).
 */
interface Entry extends OverviewItem {
  stored: Shape;
  themed: Shape;
  node: Konva.Group | null;
  inView: boolean;
  attached: boolean;
}

/**
 * Past this many nodes to add or remove at once (a jump, a zoom, the overview turning on or
 * off, a big paste), the layer's children are rebuilt in one pass instead: each single insert or
 * removal shifts the children after it.
 */
const REBUILD_MIN_CHANGES = 64;
/**
 * Nodes of shapes that left the view are kept for this many shapes (panning back finds them
 * made); past it the oldest are destroyed, so a long tour of a big board does not keep a node
 * per shape it ever showed.
 */
export const MAX_SPARE_NODES = 2_000;

export class ShapeLayer {
  readonly layer: Konva.Layer;
  private readonly entries = new Map<string, Entry>();
  private readonly bindings = new BindingIndex();
  /** Holds the nodes of shapes in view, in paint order; hidden while the overview draws instead. */
  private readonly nodeGroup = new Konva.Group();
  private readonly overview: Konva.Shape;
  private viewport: Bounds | null = null;
  /** Every entry by its ink bounds, so culling visits the view, not the board. */
  private readonly grid = new SpatialGrid<Entry>();
  private readonly inView = new Set<Entry>();
  private overviewOn = false;
  /** Entries in paint order, for the overview; null when it must be sorted again. */
  private ordered: Entry[] | null = null;
  private theme: Theme = 'light';
  private pinned = new Set<string>();
  /** Entries whose node may have to join or leave the layer (see `syncNodes`). */
  private readonly pending = new Set<Entry>();
  /** Entries with a node out of the layer, the longest out first (see MAX_SPARE_NODES). */
  private readonly spare = new Set<Entry>();
  private lastAttachMs = 0;
  private applyMsTotal = 0;
  /**
   * A redraw is queued for the next animation frame: until it runs, the hit canvas still shows
   * the nodes as they were (a shape that just joined the layer is not hit yet).
   */
  private hitStale = false;

  constructor(layer: Konva.Layer = new Konva.Layer(), options: ShapeLayerOptions = {}) {
    this.layer = layer;
    this.layer.listening(options.listening ?? false);
    this.overview = new Konva.Shape({
      listening: false,
      perfectDrawEnabled: false,
      visible: false,
      sceneFunc: (context) => this.drawOverview(context),
    });
    this.layer.add(this.nodeGroup, this.overview);
    // Konva's draw() runs drawScene (which fires 'draw') and then drawHit, in one go.
    this.layer.on('draw', () => {
      this.hitStale = false;
    });
  }

  /** Queues a redraw of the layer for the next animation frame. */
  requestDraw(): void {
    this.hitStale = true;
    this.layer.batchDraw();
  }

  /**
   * Brings the hit canvas up to date now when a redraw is still queued, so a click that comes
   * before the next animation frame (a busy page) finds the shapes that are on screen.
   */
  ensureHitGraph(): void {
    if (!this.hitStale) return;
    this.layer.drawHit();
    this.hitStale = false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether the cheap overview is drawn instead of the shape nodes (zoomed far out). */
  get overviewActive(): boolean {
    return this.overviewOn;
  }

  /** The shape as the board holds it. */
  getShape(id: string): Shape | undefined {
    return this.entries.get(id)?.stored;
  }

  /** The shape as drawn: a bound line or arrow with its ends on the shapes it is bound to. */
  getDrawnShape(id: string): Shape | undefined {
    return this.entries.get(id)?.shape;
  }

  /**
   * The shape's node, made now if it was never needed. It is in the layer only while the shape
   * is in view (or pinned): changes to a culled node's children last, but it is not drawn.
   */
  getNode(id: string): Konva.Group | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const node = this.nodeOf(entry);
    if (!entry.attached) this.noteSpare(entry);
    return node;
  }

  /** Whether the shape is in view (drawn by its node, or by the overview when far out). */
  isInView(id: string): boolean {
    return this.entries.get(id)?.inView ?? false;
  }

  /** Keeps these shapes' nodes in the layer wherever they are (and releases the others). */
  pin(ids: Iterable<string>): void {
    const next = new Set(ids);
    for (const id of [...this.pinned, ...next]) {
      const entry = this.entries.get(id);
      if (entry && this.pinned.has(id) !== next.has(id)) this.pending.add(entry);
    }
    this.pinned = next;
    this.syncNodes();
  }

  /** Every shape as the board holds it, in paint order. */
  allShapes(): Shape[] {
    return this.paintOrder().map((entry) => entry.stored);
  }

  /**
   * Draws the lines bound to `changed` as if those shapes were as given (a resize in progress,
   * not yet on the board); the next change of the board draws them as it has them.
   */
  redrawBoundLines(changed: ReadonlyMap<string, Shape>): void {
    const lookup: ShapeLookup = (id) => changed.get(id) ?? this.entries.get(id)?.stored;
    for (const id of changed.keys()) {
      for (const lineId of this.bindings.linesBoundTo(id)) {
        const entry = changed.has(lineId) ? undefined : this.entries.get(lineId);
        if (entry) this.draw(entry, resolveBoundShape(entry.stored, lookup));
      }
    }
    this.syncNodes();
    this.requestDraw();
  }

  /** Ids of the lines and arrows with an end bound to the shape `id`. */
  linesBoundTo(id: string): ReadonlySet<string> {
    return this.bindings.linesBoundTo(id);
  }

  /**
   * The shapes, as the board holds them, whose drawn ink bounds meet `bounds`, in paint order:
   * from the grid, so a marquee or a pointer test costs what is near it, not the whole board.
   */
  storedShapesIn(bounds: Bounds): Shape[] {
    const found: Entry[] = [];
    this.grid.query(bounds, (entry) => {
      if (boundsIntersect(entry.bounds, bounds)) found.push(entry);
    });
    return found.sort((a, b) => comparePaintOrder(a.shape, b.shape)).map((entry) => entry.stored);
  }

  /** Every shape as drawn (bound ends placed), in paint order. */
  drawnShapes(): Shape[] {
    return this.paintOrder().map((entry) => entry.shape);
  }

  /** For benchmarks: shapes in view, shape nodes in the layer, the last cull's node work. */
  stats(): ShapeLayerStats {
    return {
      shapesInView: this.inView.size,
      layerNodes: this.nodeGroup.getChildren().length,
      spareNodes: this.spare.size,
      overview: this.overviewOn,
      lastAttachMs: this.lastAttachMs,
      applyMsTotal: this.applyMsTotal,
    };
  }

  /** Ids of shapes drawn now (inside the viewport). */
  visibleIds(): string[] {
    return [...this.inView].map((entry) => entry.shape.id);
  }

  /** The topmost in-view shape whose ink bounds hold the board point (for the overview). */
  shapeAt(point: { x: number; y: number }): string | null {
    const hits: Entry[] = [];
    this.grid.query({ ...point, width: 0, height: 0 }, (entry) => {
      const b = entry.bounds;
      const holds =
        point.x >= b.x && point.x <= b.x + b.width && point.y >= b.y && point.y <= b.y + b.height;
      if (entry.inView && holds) hits.push(entry);
    });
    let top: Entry | null = null;
    for (const entry of hits)
      if (!top || comparePaintOrder(top.shape, entry.shape) < 0) top = entry;
    return top?.shape.id ?? null;
  }

  /** Adds or updates `upserts`, removes `removedIds`, then redraws once. */
  apply(upserts: Iterable<Shape>, removedIds: Iterable<string> = []): void {
    const start = performance.now();
    const removed = [...removedIds];
    for (const id of removed) this.removeOne(id);
    const sorted = [...upserts].sort(comparePaintOrder);
    // A line resolves against its targets as this batch leaves them, whatever their order in it.
    const batch = new Map(sorted.map((shape) => [shape.id, shape]));
    const lookup: ShapeLookup = (id) => batch.get(id) ?? this.entries.get(id)?.stored;
    for (const shape of sorted) this.upsertOne(shape, lookup);
    // Lines bound to a shape that changed or went are drawn again; their own fields did not change.
    for (const id of [...batch.keys(), ...removed]) {
      for (const lineId of this.bindings.linesBoundTo(id)) {
        const entry = batch.has(lineId) ? undefined : this.entries.get(lineId);
        if (entry) this.draw(entry, resolveBoundShape(entry.stored, lookup));
      }
    }
    this.updateLevelOfDetail();
    this.syncNodes();
    this.requestDraw();
    this.applyMsTotal += performance.now() - start;
  }

  /** Makes the layer show exactly `shapes`. */
  replaceAll(shapes: Iterable<Shape>): void {
    const list = [...shapes];
    const keep = new Set(list.map((shape) => shape.id));
    this.apply(
      list,
      [...this.entries.keys()].filter((id) => !keep.has(id)),
    );
  }

  /** Draws every shape in `theme`'s colours from now on (the document is not touched). */
  setTheme(theme: Theme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    for (const entry of this.entries.values()) {
      entry.themed = displayShape(entry.shape, theme);
      if (entry.node) updateShapeNode(entry.node, entry.themed, this.paper());
    }
    this.requestDraw();
  }

  /** The canvas colour in this layer's theme (behind line labels). */
  private paper(): string {
    return displayColor(PAPER_COLOR, this.theme);
  }

  /** `shape` in this layer's theme, for drafts drawn beside the layer. */
  forDisplay(shape: Shape): Shape {
    return displayShape(shape, this.theme);
  }

  /** Board-space rectangle on screen; shapes outside it leave the layer. Null shows everything. */
  setViewport(viewport: Bounds | null): void {
    this.viewport = viewport;
    if (!viewport) {
      for (const entry of this.entries.values()) if (!entry.inView) this.setInView(entry, true);
    } else if (this.inView.size > this.entries.size / 4) {
      // Much of the board in view (zoomed out): one pass over it costs less than the grid.
      for (const entry of this.entries.values()) {
        const inView = boundsIntersect(entry.bounds, viewport);
        if (entry.inView !== inView) this.setInView(entry, inView);
      }
    } else {
      // What left: among the shapes in view. What came in: among those near the view (the grid).
      for (const entry of this.inView)
        if (!boundsIntersect(entry.bounds, viewport)) this.setInView(entry, false);
      this.grid.query(viewport, (entry) => {
        if (!entry.inView && boundsIntersect(entry.bounds, viewport)) this.setInView(entry, true);
      });
    }
    this.updateLevelOfDetail();
    this.syncNodes();
    this.requestDraw();
  }

  private setInView(entry: Entry, inView: boolean): void {
    entry.inView = inView;
    if (inView) this.inView.add(entry);
    else this.inView.delete(entry);
    this.pending.add(entry);
  }

  /** Whether the entry's node belongs in the layer. */
  private wantsNode(entry: Entry): boolean {
    return (entry.inView && !this.overviewOn) || this.pinned.has(entry.shape.id);
  }

  private updateLevelOfDetail(): void {
    const on = useOverview(this.overviewOn, this.layer.getAbsoluteScale().x, this.inView.size);
    if (on === this.overviewOn) return;
    this.overviewOn = on;
    this.nodeGroup.visible(!on);
    this.overview.visible(on);
    // Every in-view node joins or leaves the layer.
    for (const entry of this.inView) this.pending.add(entry);
  }

  /** Adds and removes the nodes of the pending entries, keeping paint order. */
  private syncNodes(): void {
    const start = performance.now();
    this.lastAttachMs = 0;
    if (this.pending.size === 0) return;
    let changes = 0;
    for (const entry of this.pending) if (this.wantsNode(entry) !== entry.attached) changes++;
    if (changes > REBUILD_MIN_CHANGES) {
      this.rebuildNodes();
    } else if (changes > 0) {
      for (const entry of this.pending) {
        const wanted = this.wantsNode(entry);
        if (wanted === entry.attached) continue;
        if (wanted) this.insertInPaintOrder(entry);
        else entry.node?.remove();
        entry.attached = wanted;
      }
    }
    for (const entry of this.pending) this.noteSpare(entry);
    this.pending.clear();
    this.releaseSpareNodes();
    this.lastAttachMs = performance.now() - start;
  }

  /** Keeps `spare` to the entries with a node out of the layer, newest last. */
  private noteSpare(entry: Entry): void {
    this.spare.delete(entry);
    if (entry.node && !entry.attached) this.spare.add(entry);
  }

  private releaseSpareNodes(): void {
    for (const entry of this.spare) {
      if (this.spare.size <= MAX_SPARE_NODES) return;
      this.spare.delete(entry);
      entry.node?.destroy();
      entry.node = null;
    }
  }

  /** The layer's shape nodes, from scratch: every wanted one, in paint order. */
  private rebuildNodes(): void {
    this.nodeGroup.removeChildren();
    for (const entry of this.paintOrder()) {
      entry.attached = this.wantsNode(entry);
      if (entry.attached) this.nodeGroup.add(this.nodeOf(entry));
    }
  }

  private nodeOf(entry: Entry): Konva.Group {
    entry.node ??= createShapeNode(entry.themed, this.paper());
    return entry.node;
  }

  private paintOrder(): Entry[] {
    this.ordered ??= [...this.entries.values()].sort((a, b) => comparePaintOrder(a.shape, b.shape));
    return this.ordered;
  }

  private drawOverview(context: Konva.Context): void {
    const zoom = this.layer.getAbsoluteScale().x;
    drawOverview(context._context, this.inViewEntries(), zoom);
  }

  private *inViewEntries(): Generator<OverviewItem> {
    for (const entry of this.paintOrder())
      // In light the themed shape is the shape itself: no object per shape per frame.
      if (entry.inView) yield this.theme === 'light' ? entry : { ...entry, shape: entry.themed };
  }

  private removeOne(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.inView.delete(entry);
    this.grid.delete(entry);
    this.spare.delete(entry);
    entry.node?.destroy();
    this.pending.delete(entry);
    this.entries.delete(id);
    this.bindings.delete(id);
    this.ordered = null;
  }

  private upsertOne(stored: Shape, lookup: ShapeLookup): void {
    this.bindings.set(stored);
    const shape = resolveBoundShape(stored, lookup);
    const entry = this.entries.get(shape.id);
    if (!entry) {
      const bounds = shapeInkBounds(shape);
      const themed = displayShape(shape, this.theme);
      const inView = this.boundsInView(bounds);
      const added: Entry = { shape, stored, themed, node: null, bounds, inView, attached: false };
      this.entries.set(shape.id, added);
      this.grid.set(added, bounds);
      if (inView) this.inView.add(added);
      this.ordered = null;
      this.pending.add(added);
      return;
    }
    const previous = entry.stored;
    entry.stored = stored;
    this.draw(entry, shape);
    if (previous.z !== shape.z) {
      this.ordered = null;
      if (entry.attached) {
        // Taken out here, put back in its new place by syncNodes.
        entry.node?.remove();
        entry.attached = false;
        this.pending.add(entry);
      }
    }
  }

  /** Draws `entry` as `shape` (its stored shape, bound ends placed) and culls it again. */
  private draw(entry: Entry, shape: Shape): void {
    entry.shape = shape;
    entry.bounds = shapeInkBounds(shape);
    this.grid.set(entry, entry.bounds);
    entry.themed = displayShape(shape, this.theme);
    if (entry.node) updateShapeNode(entry.node, entry.themed, this.paper());
    const inView = this.boundsInView(entry.bounds);
    if (entry.inView !== inView) this.setInView(entry, inView);
  }

  private boundsInView(bounds: Bounds): boolean {
    return !this.viewport || boundsIntersect(bounds, this.viewport);
  }

  /** Children are kept sorted, so a binary search finds the slot; appending is the usual case. */
  private insertInPaintOrder(entry: Entry): void {
    const node = this.nodeOf(entry);
    const shape = entry.shape;
    const children = this.nodeGroup.getChildren();
    const count = children.length;
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.entries.get((children[mid] as Konva.Node).id())?.shape;
      if (other && comparePaintOrder(other, shape) < 0) low = mid + 1;
      else high = mid;
    }
    this.nodeGroup.add(node);
    if (low < count) node.zIndex(low);
  }
}
