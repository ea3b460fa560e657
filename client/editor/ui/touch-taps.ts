/**
 * Buttons of the editor's chrome answer a finger's tap on its release, not on the `click` the
 * browser derives from it: right after a quick drag on the canvas, Chrome takes the next tap as
 * the one that stops the (invisible) fling and sends no click, so a tool tapped just after
 * drawing would not respond. A tap here is a touch that goes down and up on the same button;
 * the browser's own click that may follow is dropped, so the button acts once. (It is dropped
 * wherever it lands: Chrome aims it anew, and the tap may have hidden what was under the finger,
 * such as the More tools popover over the help button, or opened a dialog.)
 */
/** How long after a tap the browser's click for it may still arrive. */
const CLICK_AFTER_TAP_MS = 800;

export function answerTapsOnRelease(root: HTMLElement): void {
  let downOn: Element | null = null;
  /** When the last tap was answered; cleared by the next press. */
  let tappedAt: number | null = null;
  const buttonOf = (event: Event) => (event.target as Element | null)?.closest('button') ?? null;
  window.addEventListener('pointerdown', () => (tappedAt = null), { capture: true });
  root.addEventListener('pointerdown', (event) => {
    downOn = event.pointerType === 'touch' ? buttonOf(event) : null;
  });
  root.addEventListener('pointerup', (event) => {
    const button = buttonOf(event);
    const isTap = event.pointerType === 'touch' && button !== null && button === downOn;
    downOn = null;
    if (!isTap || !root.contains(button) || button.disabled) return;
    tappedAt = performance.now();
    button.click();
  });
  // On the window: the tap may have opened a dialog outside `root`, where the click would land
  // on its backdrop and close it.
  window.addEventListener(
    'click',
    (event) => {
      const recent = tappedAt !== null && performance.now() - tappedAt < CLICK_AFTER_TAP_MS;
      if (event.isTrusted && recent) {
        tappedAt = null;
        event.stopImmediatePropagation();
        event.preventDefault();
      }
    },
    { capture: true },
  );
}
