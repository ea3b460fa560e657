/**
 * The editor on a phone or a small window (`SMALL_SCREEN_QUERY`; layout in mobile.css):
 * the toolbar at the bottom with what does not fit folded into "More tools", the style panel
 * as a bottom sheet opened from the bottom bar, long-press for the context menu, buttons that
 * answer a finger on release (ui/touch-taps.ts), and a hint
 * that speaks of tapping rather than keys. Touch targets are at least 40 px (mobile.css).
 */
import { byId, type EditorApp } from './editor-app.ts';
import { installLongPress } from './long-press.ts';
import { StyleSheetToggle } from './ui/style-sheet.ts';
import { answerTapsOnRelease } from './ui/touch-taps.ts';
import { ToolbarFold } from './ui/toolbar-fold.ts';

/** Narrow (a phone upright) or short (a phone on its side); as in client/styles/mobile.css. */
export const SMALL_SCREEN_QUERY = '(max-width: 700px), (max-height: 500px)';
const SMALL_HINT = 'Pick a tool below, then drag on the board.<br />Two fingers pan and zoom.';

export function connectSmallScreens(app: EditorApp): void {
  const small = window.matchMedia(SMALL_SCREEN_QUERY);
  new ToolbarFold(byId('toolbar'), small);
  const bar = document.querySelector<HTMLElement>('.bottom-bar');
  if (bar) new StyleSheetToggle(byId('style-panel'), bar, app.editor.canvas.container);
  answerTapsOnRelease(document.querySelector<HTMLElement>('.editor') ?? document.body);
  installLongPress({
    element: app.editor.canvas.container,
    cancelGesture: () => app.pointer.cancel(),
  });
  const hint = byId('empty-hint');
  const wideHint = hint.innerHTML;
  const showHint = () => (hint.innerHTML = small.matches ? SMALL_HINT : wideHint);
  small.addEventListener('change', showHint);
  showHint();
}
