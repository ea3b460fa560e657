/**
 * Snapping while resizing: the dragged handle of the resize box snaps to other shapes' edges
 * and centres within a few screen pixels (snapping.ts `snapPoint`), on the axes that handle
 * moves, with guides drawn. Off for a rotated selection (its handles are not on the edges),
 * with Ctrl/Cmd or Alt held, or when snapping is turned off in the context menu.
 */
import type Konva from 'konva';
import type { EditorContext } from './editor-context.ts';
import { layoutBox, unionBox } from './arrange.ts';
import { SNAP_THRESHOLD_PX, SnapGuides, isSnapEnabled, snapTargets } from './snap-guides.ts';
import { snapPoint, type Box } from './snapping.ts';

/** Side handles move one coordinate only. */
const X_ONLY = new Set(['middle-left', 'middle-right']);
const Y_ONLY = new Set(['top-center', 'bottom-center']);

export function installResizeSnapping(editor: EditorContext, transformer: Konva.Transformer) {
  const guides = new SnapGuides(editor);
  let targets: Box[] = [];
  transformer.on('transformstart', () => {
    const ids = new Set(transformer.nodes().map((node) => node.id()));
    const shapes = editor.model.pick(ids);
    targets = shapes.length > 0 ? snapTargets(editor, ids, unionBox(shapes.map(layoutBox))) : [];
  });
  transformer.on('transformend', () => guides.clear());
  transformer.anchorDragBoundFunc((_old, next, event?: MouseEvent) => {
    const anchor = transformer.getActiveAnchor();
    const held = event?.ctrlKey || event?.metaKey || event?.altKey;
    const rotated = transformer.rotation() % 360 !== 0;
    if (!anchor || anchor === 'rotater' || rotated || held || !isSnapEnabled()) {
      guides.clear();
      return next;
    }
    const { viewport } = editor;
    const axes = { x: !Y_ONLY.has(anchor), y: !X_ONLY.has(anchor) };
    const snapped = snapPoint(
      viewport.toBoard(next),
      targets,
      SNAP_THRESHOLD_PX / viewport.zoom,
      axes,
    );
    guides.show(snapped.guides);
    return viewport.toScreen(snapped);
  });
}
