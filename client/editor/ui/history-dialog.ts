/**
 * History… (main menu): the board's checkpoints (server/history/), newest first, each with a
 * preview (its SVG), when it was taken, how many shapes it had and who was there. Restore makes
 * the board equal to that checkpoint as this person's own edit (`restore`), so it reaches
 * everyone like any edit, people editing meanwhile keep working, and Ctrl+Z takes it back.
 * Previews are fetched with the request headers (the token, in JWT mode) and shown as blob URLs.
 */
import type { Shape } from '../../../common/board/shape.ts';
import { element, openDialog } from './dialog.ts';
import { timeAgo } from './menu-sections.ts';
import { showToast } from './toast.ts';

export interface Checkpoint {
  n: number;
  time: string;
  shapeCount: number;
  names: string[];
  bytes: number;
}

export interface HistoryDeps {
  /** `/api/boards/<editId>/history` of the board as it is now. */
  historyUrl(): string;
  /** The request headers (the token, in JWT mode). */
  headers(): Record<string, string>;
  /** Makes the board hold exactly these shapes, as one undoable edit of this tab. */
  restore(shapes: Shape[]): void;
}

export async function openHistoryDialog(deps: HistoryDeps): Promise<void> {
  const list = element('ol', { className: 'history-list', id: 'history-list' });
  const status = element('p', { className: 'history-status' }, 'Loading…');
  const body = element(
    'div',
    { className: 'history-body' },
    element(
      'p',
      { className: 'history-intro' },
      'The board as it was after each stretch of editing. Restoring is one edit for everyone; ' +
        'undo takes it back.',
    ),
    status,
    list,
  );
  const dialog = openDialog('History', body, 'history-dialog');
  const urls: string[] = [];
  dialog.addEventListener('close', () => urls.forEach((url) => URL.revokeObjectURL(url)));
  const response = await fetch(deps.historyUrl(), { headers: deps.headers() }).catch(() => null);
  if (!response?.ok) {
    status.textContent = `Could not load the history (${response ? response.status : 'offline'}).`;
    return;
  }
  const { checkpoints } = (await response.json()) as { checkpoints: Checkpoint[] };
  status.hidden = checkpoints.length > 0;
  status.textContent = 'No checkpoints yet: one is kept after each stretch of editing.';
  const now = Date.now();
  list.replaceChildren(
    ...checkpoints.map((checkpoint) => checkpointItem(deps, dialog, checkpoint, now, urls)),
  );
}

function checkpointItem(
  deps: HistoryDeps,
  dialog: HTMLDialogElement,
  checkpoint: Checkpoint,
  now: number,
  urls: string[],
): HTMLElement {
  const base = `${deps.historyUrl()}/${checkpoint.n}`;
  const preview = element('img', { className: 'history-preview', alt: '' });
  void fetch(`${base}.svg`, { headers: deps.headers() })
    .then((answer) => (answer.ok ? answer.blob() : null))
    .then((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      urls.push(url);
      preview.src = url;
    })
    .catch(() => preview.classList.add('is-missing'));
  const when = new Date(checkpoint.time);
  const shapes = `${checkpoint.shapeCount} shape${checkpoint.shapeCount === 1 ? '' : 's'}`;
  const who = checkpoint.names.length > 0 ? ` · ${checkpoint.names.join(', ')}` : '';
  const restore = element('button', { type: 'button', className: 'text-button' }, 'Restore');
  restore.dataset.checkpoint = String(checkpoint.n);
  restore.addEventListener('click', () => {
    restore.disabled = true;
    void restoreFrom(deps, base).then((done) => {
      restore.disabled = false;
      if (!done) return;
      dialog.close();
      showToast(`Board restored to ${when.toLocaleString()}. Undo takes it back.`);
    });
  });
  const item = element(
    'li',
    { className: 'history-item' },
    preview,
    element(
      'div',
      { className: 'history-text' },
      element(
        'time',
        { dateTime: checkpoint.time, title: when.toLocaleString() },
        timeAgo(when.getTime(), now),
      ),
      element('span', { className: 'history-meta' }, `${shapes}${who}`),
    ),
    restore,
  );
  item.dataset.n = String(checkpoint.n);
  return item;
}

async function restoreFrom(deps: HistoryDeps, url: string): Promise<boolean> {
  const response = await fetch(url, { headers: deps.headers() }).catch(() => null);
  if (!response?.ok) {
    showToast(`Could not restore (${response ? response.status : 'offline'}).`);
    return false;
  }
  const { shapes } = (await response.json()) as { shapes: Shape[] };
  deps.restore(shapes);
  return true;
}
