/**
 * The controls around the canvas: presence (cursors, avatars, the name), the connection
 * status, zoom and undo buttons, the file menu (exports, imports, deleting the board), share
 * (and resetting links) and help.
 */
import type { BoardLifecycle } from './board-lifecycle.ts';
import type { BoardLocation } from './board-location.ts';
import type { Connection } from './connection.ts';
import { byId, type EditorApp } from './editor-app.ts';
import { connectExports } from './export-menu.ts';
import { exportJson, shapesFromJson } from './files.ts';
import { cleanName, rememberName, type Identity } from './identity.ts';
import { Presence } from './presence.ts';
import type { FollowMode } from './follow.ts';
import { connectTogether } from './together.ts';
import { PresenceView } from './presence-view.ts';
import { openHelpDialog } from './ui/help-dialog.ts';
import { NamePopover } from './ui/name-popover.ts';
import { openShareDialog } from './ui/share-dialog.ts';
import { StatusView } from './ui/status-view.ts';
import { openHistoryDialog } from './ui/history-dialog.ts';
import { showToast } from './ui/toast.ts';

export interface ChromeDeps {
  app: EditorApp;
  board: BoardLocation;
  /** Headers for the board's API (the current token in JWT mode; it changes on refresh). */
  headers: () => Record<string, string>;
  connection: Connection;
  lifecycle: BoardLifecycle;
  identity: Identity;
  /** Whether the person chose their name (a guest gets a hint that they can rename). */
  nameChosen: boolean;
  /** Clears this device's copy of the board (IndexedDB), unsent changes included. */
  clearLocalCopy(): Promise<void>;
}

export function connectChrome(deps: ChromeDeps): { presence: Presence } {
  const presence = connectPresence(deps);
  new StatusView(byId('status'), deps.connection, {
    exportCopy: () => exportJson(deps.app.editor.model.all(), `${deps.board.boardId}-local-copy`),
    dropUnsent: () => {
      void deps.clearLocalCopy().then(() => {
        deps.connection.forgetUnsent();
        window.location.reload();
      });
    },
  });
  connectZoomAndHistory(deps.app);
  abandonGestureWhenDisconnected(deps.app, deps.connection);
  connectFileMenu(deps.app, deps.board, deps.lifecycle, deps.headers);
  byId('share-button').addEventListener('click', () => {
    void openShareDialog({
      linksUrl: () => deps.board.linksUrl,
      headers: deps.headers,
      beforeEditReset: () => deps.lifecycle.beforeEditReset(),
      afterEditReset: (links) => deps.lifecycle.afterEditReset(links),
    });
  });
  byId('help-button').addEventListener('click', openHelpDialog);
  keepFocusOffButtons();
  return { presence };
}

/**
 * A shape being drawn when the connection is lost (a retry is scheduled, or it stopped) is
 * abandoned, leaving nothing behind: others saw it grow, and would otherwise keep a half-drawn
 * shape (the server removes it too, abandoned-drawings.ts). A move between WebSocket and HTTP,
 * which reconnects at once, does not count; a gesture begun offline goes on.
 */
function abandonGestureWhenDisconnected(app: EditorApp, connection: Connection): void {
  let wasConnected = connection.status.state.kind === 'connected';
  connection.onChange(({ state }) => {
    const lost = state.kind === 'waiting' || state.kind === 'stopped' || state.kind === 'refused';
    if (wasConnected && lost) app.pointer.cancel();
    if (state.kind === 'connected' || lost) wasConnected = state.kind === 'connected';
  });
}

/**
 * Clicked buttons do not keep the focus, so the editor's keys (Space to pan, Enter to edit)
 * keep working after a click on a tool or a swatch. Keyboard users still tab to them.
 */
function keepFocusOffButtons(): void {
  document.querySelector('.editor')?.addEventListener('mousedown', (event) => {
    if ((event.target as Element).closest('button')) event.preventDefault();
  });
}

function connectPresence({ app, connection, identity, nameChosen }: ChromeDeps): Presence {
  const { editor } = app;
  let self = identity;
  const presence = new Presence(connection.provider.awareness, identity);
  const avatars = byId('avatars');
  let follow: FollowMode | null = null;
  const view = new PresenceView({
    presence,
    model: editor.model,
    canvas: editor.canvas,
    viewport: editor.viewport,
    cursorLayer: byId('cursor-layer'),
    avatars,
    self: () => self,
    followedId: () => follow?.followedId ?? null,
  });
  follow = connectTogether({
    editor,
    presence,
    selfColor: () => self.color,
    onFollow: () => view.render(),
  });
  editor.selection.onChange((ids) => presence.setSelection(ids));
  const container = editor.canvas.container;
  container.addEventListener('pointermove', (event) =>
    presence.setCursor(app.pointer.toPointer(event).board),
  );
  container.addEventListener('pointerleave', () => presence.setCursor(null));
  const popover = new NamePopover(avatars.parentElement ?? avatars);
  const rename = (name: string) => {
    self = { ...self, name: cleanName(name) || self.name };
    rememberName(localStorage, self.name);
    presence.setUser(self);
    view.render();
  };
  avatars.addEventListener('click', (event) => {
    const avatar = (event.target as Element).closest<HTMLElement>('.avatar');
    if (avatar?.classList.contains('is-self')) return popover.edit(self.name, rename);
    const clientId = Number(avatar?.dataset.clientId);
    const peer = presence.peers().find((candidate) => candidate.clientId === clientId);
    if (!peer || !follow) return;
    if (follow.followedId === clientId) follow.stop();
    else follow.follow(peer);
  });
  if (!nameChosen && localStorage.getItem(NAME_HINT_KEY) === null) {
    popover.hint(self.name, () => localStorage.setItem(NAME_HINT_KEY, 'dismissed'));
  }
  view.render();
  return presence;
}

/** Set once a guest dismissed the "you can rename" hint, so it does not come back. */
const NAME_HINT_KEY = 'boardcast.nameHintDismissed';

function connectZoomAndHistory({ editor, zoomToFit }: EditorApp): void {
  const { viewport, history } = editor;
  byId('zoom-in').addEventListener('click', () => viewport.zoomIn());
  byId('zoom-out').addEventListener('click', () => viewport.zoomOut());
  byId('zoom-reset').addEventListener('click', () => viewport.resetZoom());
  byId('zoom-fit').addEventListener('click', zoomToFit);
  const zoomLabel = byId('zoom-reset');
  viewport.onChange(() => (zoomLabel.textContent = `${Math.round(viewport.zoom * 100)}%`));
  const undo = byId<HTMLButtonElement>('undo-button');
  const redo = byId<HTMLButtonElement>('redo-button');
  undo.addEventListener('click', () => history.undo());
  redo.addEventListener('click', () => history.redo());
  const refresh = () => {
    undo.disabled = !history.canUndo();
    redo.disabled = !history.canRedo();
  };
  history.onChange(refresh);
  refresh();
}

function connectFileMenu(
  app: EditorApp,
  board: BoardLocation,
  lifecycle: BoardLifecycle,
  headers: () => Record<string, string>,
): void {
  const { editor, commands } = app;
  const menu = byId('file-menu');
  const input = byId<HTMLInputElement>('import-input');
  byId('menu-button').addEventListener('click', (event) => {
    event.stopPropagation();
    menu.hidden = !menu.hidden;
  });
  document.addEventListener('click', () => (menu.hidden = true));
  const actions: Record<string, () => void> = {
    ...connectExports(app, board, menu),
    'export-json': () => exportJson(editor.model.all(), board.boardId),
    'import-json': () => input.click(),
    'delete-board': () => void lifecycle.deleteBoard(),
    history: () =>
      void openHistoryDialog({
        historyUrl: () => `/api/boards/${encodeURIComponent(board.boardId)}/history`,
        headers,
        restore: (shapes) => {
          editor.history.beginStep();
          editor.model.restore(shapes);
          editor.history.beginStep();
        },
      }),
  };
  menu.addEventListener('click', (event) => {
    const action = (event.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset
      .action;
    if (action) actions[action]?.();
  });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const shapes = shapesFromJson(await file.text(), editor.model.nextTopZ());
      if (shapes.length === 0) showToast(`${file.name} holds no valid shapes.`);
      commands.insertCopies(shapes, 0, 0);
    } catch (error) {
      showToast(`Could not import ${file.name}: ${(error as Error).message}`);
    }
  });
}
