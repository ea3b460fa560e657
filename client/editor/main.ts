/**
 * The editor page (/board/<id>): the board document, kept in IndexedDB (so it opens offline
 * and keeps offline edits) and synced over /ws/<id>; then the editor, presence and the
 * surrounding controls. A service worker keeps the page itself, so it also reloads offline.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { TokenSession } from '../auth/token-session.ts';
import { assetPath } from '../../common/board/asset-format.ts';
import * as Y from 'yjs';
import { BoardLifecycle, localCopyName } from './board-lifecycle.ts';
import { readBoardLocation } from './board-location.ts';
import { Connection, type ConnectionStatus } from './connection.ts';
import { createEditorApp } from './editor-app.ts';
import { connectChrome } from './app-chrome.ts';
import { loadIdentity } from './identity.ts';
import { registerOfflineShell } from './offline-shell.ts';
import { installTestHooks } from './test-hooks.ts';
import { ThemeSetting } from '../render/theme.ts';
import { connectAppMenu } from './app-menu.ts';
import { RecentBoards } from './recent-boards.ts';
import { connectSmallScreens } from './small-screen.ts';

async function start(): Promise<void> {
  // First, so the page is drawn in the person's theme from the start.
  const theme = new ThemeSetting(localStorage);
  const board = readBoardLocation(window.location);
  if (!board) {
    document.body.textContent = 'This is not a valid board address.';
    return;
  }
  document.title = `${board.boardId} · Boardcast`;
  const doc = new Y.Doc();
  /** The transaction origin of this tab's edits: what undo tracks, what "unsent" counts. */
  const localOrigin = { source: 'boardcast-editor' };
  const localCopy = new IndexeddbPersistence(localCopyName(board.boardId), doc);
  // JWT mode: the token from the page URL, refreshed from the token URL before it expires and
  // sent over the open socket (docs/auth.md). Outside JWT mode this does nothing.
  const session = TokenSession.fromPage();
  await session.ready().catch((error: unknown) => console.warn('Boardcast: no fresh token', error));
  const connection = new Connection({
    doc,
    boardId: board.boardId,
    serverUrl: board.wsUrl,
    localOrigin,
    params: session.params,
    // Renewed only when the session now holds a token that has not expired: a failed fetch (or
    // no token URL) leaves the expired one, and retrying with it would be refused forever.
    renewToken: async () => {
      await session.refresh().catch(() => null);
      const expiry = session.expiresAtMs;
      return session.token !== null && (expiry === null || expiry > Date.now());
    },
    // How the server answers this token over HTTP, to tell a refused upgrade (401/403) from a
    // network failure; same guard, same rules as /ws/<id> (docs/auth.md).
    probeRefusal: async () => {
      const response = await fetch(session.withToken(`/api/boards/${board.boardId}`), {
        method: 'HEAD',
        cache: 'no-store',
      });
      return response.status;
    },
    storage: localStorage,
  });
  session.attachSocket(() => connection.provider.ws);
  session.start();
  const headers = (): Record<string, string> =>
    session.token ? { authorization: `Bearer ${session.token}` } : {};
  let listedId = board.boardId;
  // The board's assets by its current edit id (a reset edit link moves the page to a new one).
  const app = createEditorApp(doc, localOrigin, {
    uploadUrl: () => `/api/boards/${encodeURIComponent(listedId)}/assets`,
    imageUrl: (assetId) => session.withToken(assetPath(listedId, assetId)),
    headers,
  });
  const { identity, chosen } = loadIdentity(localStorage, new URL(window.location.href));
  const recent = new RecentBoards(localStorage);
  const lifecycle = new BoardLifecycle({
    board,
    doc,
    connection,
    localCopy,
    headers,
    onMoved: (boardId) => {
      recent.rename(listedId, boardId);
      listedId = boardId;
      window.__boardcast.boardId = boardId;
    },
  });
  const chrome = connectChrome({
    app,
    board,
    headers,
    connection,
    lifecycle,
    identity,
    nameChosen: chosen,
    clearLocalCopy: () => localCopy.clearData(),
  });
  // After the chrome: the menu's own button handler must run before the list refreshes.
  connectAppMenu({ board, canvas: app.editor.canvas, connection, recent, theme });
  connectSmallScreens(app);
  installTestHooks(
    board.boardId,
    app.editor,
    () => connection.status,
    () => chrome.presence.peers(),
  );
  // Opened from the local copy or from the server (a shared link on another device): make sure
  // the board is in view rather than a blank screen. An empty board has nothing to bring into
  // view, and a board with something in view keeps the view the person may already have moved.
  const showSomething = () => {
    const { canvas, model } = app.editor;
    if (model.size > 0 && canvas.shapes.visibleIds().length === 0) app.zoomToFit();
  };
  void localCopy.whenSynced.then(showSomething);
  let shownOnSync = false;
  connection.onChange((status: ConnectionStatus) => {
    if (status.state.kind !== 'connected' || shownOnSync) return;
    shownOnSync = true;
    showSomething();
  });
  connection.start();
  registerOfflineShell();
}

void start();
