/**
 * Local navigation, nothing else (the viewer is read-only): drag to pan (mouse, pen or one
 * finger), pinch or wheel to zoom about the pointer, + / - / 0 keys and the buttons to zoom
 * and fit. Nothing here reaches the board.
 */
import type { ViewerCanvas } from './viewer-canvas.ts';
import { ZOOM_STEP, type Point } from '../render/viewport.ts';

/** How fast the wheel zooms: factor per pixel of wheel delta. */
const WHEEL_ZOOM_PER_PX = 0.0015;

export interface ViewerControls {
  zoomIn: HTMLButtonElement;
  zoomOut: HTMLButtonElement;
  fit: HTMLButtonElement;
}

function localPoint(element: HTMLElement, event: { clientX: number; clientY: number }): Point {
  const rect = element.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

/** Pointers down on the canvas; one pans, two pinch. */
function trackPointers(element: HTMLElement, canvas: ViewerCanvas): void {
  const pointers = new Map<number, Point>();
  element.addEventListener('pointerdown', (event) => {
    element.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, localPoint(element, event));
  });
  element.addEventListener('pointermove', (event) => {
    const previous = pointers.get(event.pointerId);
    if (!previous) return;
    const next = localPoint(element, event);
    const other = [...pointers].find(([id]) => id !== event.pointerId)?.[1];
    pointers.set(event.pointerId, next);
    if (!other) return canvas.panBy(next.x - previous.x, next.y - previous.y);
    const before = Math.hypot(previous.x - other.x, previous.y - other.y);
    const after = Math.hypot(next.x - other.x, next.y - other.y);
    const middle = { x: (next.x + other.x) / 2, y: (next.y + other.y) / 2 };
    canvas.panBy((next.x - previous.x) / 2, (next.y - previous.y) / 2);
    if (before > 0) canvas.zoomAt(middle, after / before);
  });
  const release = (event: PointerEvent) => pointers.delete(event.pointerId);
  element.addEventListener('pointerup', release);
  element.addEventListener('pointercancel', release);
}

export function attachViewerInput(
  element: HTMLElement,
  canvas: ViewerCanvas,
  controls: ViewerControls,
): void {
  trackPointers(element, canvas);
  element.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const pixels =
        event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * 16 : event.deltaY;
      canvas.zoomAt(localPoint(element, event), Math.exp(-pixels * WHEEL_ZOOM_PER_PX));
    },
    { passive: false },
  );
  const center = () => canvas.transform.center();
  controls.zoomIn.addEventListener('click', () => canvas.zoomAt(center(), ZOOM_STEP));
  controls.zoomOut.addEventListener('click', () => canvas.zoomAt(center(), 1 / ZOOM_STEP));
  controls.fit.addEventListener('click', () => canvas.fit());
  window.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === '+' || event.key === '=') canvas.zoomAt(center(), ZOOM_STEP);
    else if (event.key === '-') canvas.zoomAt(center(), 1 / ZOOM_STEP);
    else if (event.key === '0') canvas.fit();
  });
}
