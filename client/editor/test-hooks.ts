/**
 * `window.__boardcast`: read-only views and a few drivers for tests and benchmarks. Nothing in
 * the editor depends on it.
 */
import type Konva from 'konva';
import type { Shape } from '../../common/board/shape.ts';
import type { ShapeLayerStats } from '../render/shape-layer.ts';
import type { ConnectionStatus } from './connection.ts';
import type { EditorContext } from './editor-context.ts';
import type { Peer } from './presence.ts';
import { newShape } from './tools/new-shape.ts';

declare global {
  interface Window {
    /** Set by the editor page (tests and benchmarks read it). */
    __boardcast: BoardcastHooks;
  }
}

export interface BoardcastHooks {
  boardId: string;
  /** Valid shapes in the document. */
  shapeCount(): number;
  shapes(): Shape[];
  /** What the canvas draws: every shape node, and whether it is culled. */
  renderedShapes(): {
    id: string;
    type: string;
    x: number;
    y: number;
    /** In view: drawn by its node, or by the overview when zoomed far out. */
    visible: boolean;
    /** Its node is a child of the shape layer (culled shapes' nodes are not). */
    inLayer: boolean;
    /** The points drawn (a bound line's ends placed on its shapes). */
    points: number[];
  }[];
  selection(): string[];
  viewport(): { x: number; y: number; zoom: number };
  setViewport(x: number, y: number, zoom: number): void;
  /** Adds `count` rectangles in a grid (one transaction); returns their ids. */
  addShapes(count: number): string[];
  status(): ConnectionStatus;
  peers(): Peer[];
  /** The shape layer's counts and last cull cost, for benchmarks. */
  renderStats(): ShapeLayerStats;
  /** The Konva stage, for benchmarks that time drawing. */
  stage(): Konva.Stage;
  /** Screen position (page coordinates) of a board point. */
  toPage(x: number, y: number): { x: number; y: number };
  /** The laser trails drawn (their heads: colour and board position). */
  laserHeads(): { color: string; x: number; y: number }[];
  /** The board point at a page position. */
  toBoard(pageX: number, pageY: number): { x: number; y: number };
}

export function installTestHooks(
  boardId: string,
  editor: EditorContext,
  status: () => ConnectionStatus,
  peers: () => Peer[],
): void {
  const hooks: BoardcastHooks = {
    boardId,
    shapeCount: () => editor.model.size,
    shapes: () => editor.model.all(),
    renderedShapes: () =>
      editor.canvas.shapes.drawnShapes().map((shape) => {
        const node = editor.canvas.shapes.getNode(shape.id);
        return {
          id: shape.id,
          type: shape.type,
          x: node?.x() ?? NaN,
          y: node?.y() ?? NaN,
          visible: editor.canvas.shapes.isInView(shape.id),
          inLayer: node?.getLayer() === editor.canvas.shapes.layer,
          points: shape.points,
        };
      }),
    selection: () => [...editor.selection.current],
    viewport: () => ({ ...editor.viewport.pan, zoom: editor.viewport.zoom }),
    setViewport: (x, y, zoom) => editor.viewport.set({ x, y }, zoom),
    addShapes: (count) => addGrid(editor, count),
    status,
    peers,
    renderStats: () => editor.canvas.shapes.stats(),
    stage: () => editor.canvas.stage,
    toPage: (x, y) => {
      const rect = editor.canvas.container.getBoundingClientRect();
      const screen = editor.viewport.toScreen({ x, y });
      return { x: rect.left + screen.x, y: rect.top + screen.y };
    },
    laserHeads: () =>
      editor.canvas.overlay.find('.laser-head').map((node) => ({
        color: String(node.getAttr('fill')),
        x: node.x(),
        y: node.y(),
      })),
    toBoard: (pageX, pageY) => {
      const rect = editor.canvas.container.getBoundingClientRect();
      return editor.viewport.toBoard({ x: pageX - rect.left, y: pageY - rect.top });
    },
  };
  window.__boardcast = hooks;
}

function addGrid(editor: EditorContext, count: number): string[] {
  const columns = Math.ceil(Math.sqrt(count));
  const z = editor.model.nextTopZ();
  const shapes = Array.from({ length: count }, (_, i) =>
    newShape(
      'rect',
      { x: (i % columns) * 60, y: Math.floor(i / columns) * 60, width: 40, height: 40 },
      editor.style.current,
      z + i,
    ),
  );
  editor.model.add(shapes);
  return shapes.map((shape) => shape.id);
}
