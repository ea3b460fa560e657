/**
 * Long-press on a touch screen opens the context menu, as a right-click does with a mouse: a
 * finger held still (within `SLOP_PX`) for `LONG_PRESS_MS` abandons whatever that press began
 * (a shape being drawn, a marquee) and fires a `contextmenu` event where the finger is, on the
 * element under it, so whichever context menu listens for right-clicks opens there. iOS
 * fires no `contextmenu` of its own; where the browser does (Android), its own event right
 * after ours is swallowed, so the menu opens once.
 */
export const LONG_PRESS_MS = 500;
const SLOP_PX = 10;
/** How long after ours a browser's own contextmenu counts as the same press. */
const DUPLICATE_WINDOW_MS = 1500;

export interface LongPressDeps {
  element: HTMLElement;
  /** Ends the gesture the press started (the editor's pointer input). */
  cancelGesture(): void;
}

export function installLongPress({ element, cancelGesture }: LongPressDeps): void {
  let press: { id: number; x: number; y: number; timer: number } | null = null;
  let firedAt = -Infinity;
  const clear = () => {
    if (press) window.clearTimeout(press.timer);
    press = null;
  };
  element.addEventListener('pointerdown', (event) => {
    // A second finger is a pinch, not a long-press.
    if (press || event.pointerType !== 'touch' || !event.isPrimary) return clear();
    const { pointerId: id, clientX: x, clientY: y } = event;
    const timer = window.setTimeout(() => {
      press = null;
      cancelGesture();
      firedAt = performance.now();
      const target = document.elementFromPoint(x, y) ?? element;
      target.dispatchEvent(
        new MouseEvent('contextmenu', {
          bubbles: true,
          cancelable: true,
          clientX: x,
          clientY: y,
          button: 2,
          view: window,
        }),
      );
    }, LONG_PRESS_MS);
    press = { id, x, y, timer };
  });
  element.addEventListener('pointermove', (event) => {
    if (press?.id !== event.pointerId) return;
    if (Math.hypot(event.clientX - press.x, event.clientY - press.y) > SLOP_PX) clear();
  });
  for (const type of ['pointerup', 'pointercancel'] as const)
    element.addEventListener(type, (event) => {
      if (press?.id === event.pointerId) clear();
    });
  element.addEventListener(
    'contextmenu',
    (event) => {
      if (event.isTrusted && press) {
        // The browser was first (Android): its event opens the menu; ours must not follow.
        clear();
        cancelGesture();
        firedAt = performance.now();
      } else if (event.isTrusted && performance.now() - firedAt < DUPLICATE_WINDOW_MS) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    { capture: true },
  );
}
