/**
 * The editor's pan and zoom: the shared Viewport (client/render/viewport.ts, the maths) with the
 * editor's limits. The canvas applies it to the stage, the grid and culling on every change.
 */
import { Viewport as SharedViewport, type ViewportLimits } from '../render/viewport.ts';

export type { Point } from '../render/viewport.ts';

export const EDITOR_VIEWPORT_LIMITS: ViewportLimits = { minZoom: 0.1, maxZoom: 8, fitMarginPx: 48 };

export class Viewport extends SharedViewport {
  constructor() {
    super(EDITOR_VIEWPORT_LIMITS);
  }
}
