/**
 * The editor's side of a board's lifecycle: moving this tab to a new edit id after it reset the
 * edit link (the same document reconnects under the new id, the page URL changes in place, and
 * the offline copy moves to the new id's IndexedDB database, since y-indexeddb keys it by board
 * id), and deleting the board from the menu. After any 4404 (a link reset elsewhere, or the board
 * deleted) the offline copy is dropped, so a reload cannot bring a deleted board back into a new
 * board under the same name; the page keeps what it shows, so it can still be exported.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { moveLocation, type BoardLocation } from './board-location.ts';
import type { Connection } from './connection.ts';
import { askToConfirm } from './ui/confirm-dialog.ts';
import type { BoardLinks } from './ui/share-dialog.ts';
import { showToast } from './ui/toast.ts';

export function localCopyName(boardId: string): string {
  return `boardcast:${boardId}`;
}

export interface LifecycleDeps {
  board: BoardLocation;
  doc: Y.Doc;
  connection: Connection;
  localCopy: IndexeddbPersistence;
  /** The request headers (the token, in JWT mode). */
  headers(): Record<string, string>;
  /** Called once the tab uses a new edit id. */
  onMoved(boardId: string): void;
}

export class BoardLifecycle {
  private localCopy: IndexeddbPersistence | null;

  constructor(private readonly deps: LifecycleDeps) {
    this.localCopy = deps.localCopy;
    deps.connection.onChange(({ state }) => {
      if (state.kind === 'stopped' && state.code === CLOSE.GONE.code) void this.dropLocalCopy();
    });
  }

  beforeEditReset(): void {
    this.deps.connection.expectMove();
  }

  async afterEditReset(links: BoardLinks | null): Promise<void> {
    const { board, connection, doc } = this.deps;
    if (!links) return connection.cancelMove();
    moveLocation(board, links.editId, window.location);
    document.title = `${links.editId} · Boardcast`;
    connection.moveTo(links.editId);
    this.deps.onMoved(links.editId);
    // The new database is written with the whole document before the old one is dropped.
    const previous = this.localCopy;
    const next = new IndexeddbPersistence(localCopyName(links.editId), doc);
    this.localCopy = next;
    await next.whenSynced;
    await previous?.clearData();
  }

  /** Asks (naming the board), then deletes it for everyone. */
  async deleteBoard(): Promise<void> {
    const id = this.deps.board.boardId;
    const confirmed = await askToConfirm({
      title: `Delete “${id}”?`,
      message:
        `The board “${id}”, its shapes, history and links are deleted for everyone, at once. ` +
        'This cannot be undone.',
      confirm: 'Delete board',
    });
    if (!confirmed) return;
    const response = await fetch(`/api/boards/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: this.deps.headers(),
    }).catch(() => null);
    if (response?.status !== 204) {
      showToast(`Could not delete the board (${response ? response.status : 'offline'}).`);
      return;
    }
    showToast(`Board “${id}” deleted.`);
    await this.dropLocalCopy();
  }

  private async dropLocalCopy(): Promise<void> {
    const copy = this.localCopy;
    this.localCopy = null;
    await copy?.clearData();
  }
}
