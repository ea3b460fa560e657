/**
 * Snapping in the editor: the guide lines drawn while a move or resize snaps (thin, in the
 * overlay, a constant width on screen), the threshold in screen pixels, the shapes worth
 * snapping to, and the person's choice to snap or not (remembered in localStorage; the context
 * menu toggles it). Ctrl/Cmd, or Alt once a drag is under way, turns it off for that drag.
 */
import Konva from 'konva';
import type { EditorContext } from './editor-context.ts';
import { layoutBox } from './arrange.ts';
import { nearbyBoxes, type Box, type SnapGuide } from './snapping.ts';

/** Edges and centres this close on screen snap together. */
export const SNAP_THRESHOLD_PX = 6;
/** Shapes farther than this (on screen) from the moving ones are not snapped to. */
const SNAP_REACH_PX = 600;
const GUIDE_COLOR = '#e8590c';
const STORAGE_KEY = 'boardcast.snap';

export function isSnapEnabled(): boolean {
  return localStorage.getItem(STORAGE_KEY) !== 'off';
}

export function setSnapEnabled(on: boolean): void {
  localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
}

/** Boxes of the shapes in view, but `moving`, near `around`: what a drag may snap to. */
export function snapTargets(
  editor: EditorContext,
  moving: ReadonlySet<string>,
  around: Box,
): Box[] {
  const zoom = editor.viewport.zoom;
  const boxes = editor.model
    .pick(editor.canvas.shapes.visibleIds())
    .filter((shape) => !moving.has(shape.id))
    .map(layoutBox);
  return nearbyBoxes(around, boxes, SNAP_REACH_PX / zoom);
}

export class SnapGuides {
  private readonly group = new Konva.Group({ listening: false, name: 'snap-guides' });

  constructor(private readonly editor: EditorContext) {
    editor.canvas.overlay.add(this.group);
  }

  show(guides: readonly SnapGuide[]): void {
    this.group.destroyChildren();
    const width = 1 / this.editor.viewport.zoom;
    for (const guide of guides) {
      const points =
        guide.axis === 'x'
          ? [guide.at, guide.from, guide.at, guide.to]
          : [guide.from, guide.at, guide.to, guide.at];
      this.group.add(new Konva.Line({ points, stroke: GUIDE_COLOR, strokeWidth: width }));
    }
    this.editor.canvas.overlay.batchDraw();
  }

  clear(): void {
    if (this.group.hasChildren()) this.show([]);
  }

  destroy(): void {
    this.group.destroy();
    this.editor.canvas.overlay.batchDraw();
  }
}
