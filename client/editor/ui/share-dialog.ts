/**
 * Share: the edit link, the view link and the embed snippet, each with a copy button; the link
 * preview (the board's PNG, as chat apps show it); and, for a
 * link that leaked, "Reset view link" and "Reset edit link" (after a confirmation): the old link
 * stops working at once for everyone using it, and the dialog shows the new ones. Resetting the
 * edit link moves this tab to the new one (`afterEditReset`), keeping everything it has.
 */
import { askToConfirm } from './confirm-dialog.ts';
import { element, openDialog } from './dialog.ts';

export interface BoardLinks {
  editId: string;
  viewId: string;
  editUrl: string;
  viewUrl: string;
  embedHtml: string;
}

export interface ShareDeps {
  /** `/api/boards/<editId>/links` of the board as it is now. */
  linksUrl(): string;
  /** The request headers (the token, in JWT mode). */
  headers(): Record<string, string>;
  /** This tab is about to reset the edit link (its own socket will be closed with 4404). */
  beforeEditReset(): void;
  /** The edit link was reset (the new links), or the reset failed (null). */
  afterEditReset(links: BoardLinks | null): void | Promise<void>;
}

type Which = 'view' | 'edit';

const RESET_QUESTIONS: Record<Which, { title: string; message: string }> = {
  view: {
    title: 'Reset the view link?',
    message:
      'Everyone watching through the current view link, and every page that embeds it, loses ' +
      'it at once. Share the new view link or embed snippet with those who should keep it.',
  },
  edit: {
    title: 'Reset the edit link?',
    message:
      'Everyone editing through the current edit link is disconnected at once, and the link ' +
      'stops working. This tab moves to the new link; share it with those who should keep editing.',
  },
};

export async function openShareDialog(deps: ShareDeps): Promise<void> {
  const body = element('div', { className: 'share-body' }, element('p', {}, 'Loading links…'));
  openDialog('Share this board', body, 'share-dialog');
  const show = (links: BoardLinks) =>
    body.replaceChildren(
      linkRow('Edit link', 'Anyone with it can edit.', links.editUrl),
      linkRow('View link', 'Read-only, live.', links.viewUrl),
      linkRow('Embed', 'Paste into a web page.', links.embedHtml, true),
      previewRow(deps, links.viewId),
      resetSection(deps, show),
    );
  try {
    const response = await fetch(deps.linksUrl(), { headers: deps.headers() });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    show((await response.json()) as BoardLinks);
  } catch (error) {
    body.replaceChildren(
      element('p', { className: 'error' }, `Could not load the links: ${(error as Error).message}`),
    );
  }
}

/** Width of the preview image fetched for the dialog (shown at up to half of it, sharp on 2× screens). */
const PREVIEW_WIDTH = 640;

/**
 * What a chat or social site shows for a shared link: the board's PNG (the page's `og:image`),
 * fetched with this tab's headers so it works in JWT mode too.
 */
function previewRow(deps: ShareDeps, viewId: string): HTMLElement {
  const image = element('img', { className: 'share-preview', alt: 'Preview of this board' });
  const row = element(
    'section',
    { className: 'share-row' },
    element('h3', {}, 'Link preview', element('small', {}, ' What chat apps show for a link.')),
    image,
  );
  const url = `/api/boards/${encodeURIComponent(viewId)}.png?width=${PREVIEW_WIDTH}`;
  void fetch(url, { headers: deps.headers() })
    .then(async (response) => {
      if (!response.ok) throw new Error(String(response.status));
      const objectUrl = URL.createObjectURL(await response.blob());
      image.addEventListener('load', () => URL.revokeObjectURL(objectUrl), { once: true });
      image.src = objectUrl;
    })
    .catch(() => (row.hidden = true));
  return row;
}

function resetSection(deps: ShareDeps, show: (links: BoardLinks) => void): HTMLElement {
  const buttons = {
    view: element('button', { type: 'button', className: 'danger-button' }, 'Reset view link'),
    edit: element('button', { type: 'button', className: 'danger-button' }, 'Reset edit link'),
  };
  const problem = element('p', { className: 'error', hidden: true });
  const reset = async (which: Which) => {
    if (!(await askToConfirm({ ...RESET_QUESTIONS[which], confirm: 'Reset link' }))) return;
    buttons.view.disabled = buttons.edit.disabled = true;
    problem.hidden = true;
    try {
      const links = await rotate(deps, which);
      if (which === 'edit') await deps.afterEditReset(links);
      show(links);
    } catch (error) {
      if (which === 'edit') await deps.afterEditReset(null);
      problem.textContent = `The link was not reset: ${(error as Error).message}`;
      problem.hidden = false;
      buttons.view.disabled = buttons.edit.disabled = false;
    }
  };
  buttons.view.addEventListener('click', () => void reset('view'));
  buttons.edit.addEventListener('click', () => void reset('edit'));
  return element(
    'section',
    { className: 'share-row share-reset' },
    element('h3', {}, 'Reset links', element('small', {}, ' If a link leaked.')),
    element('p', {}, 'The old link stops working at once, for everyone using it.'),
    element('div', { className: 'share-reset-buttons' }, buttons.view, buttons.edit),
    problem,
  );
}

async function rotate(deps: ShareDeps, which: Which): Promise<BoardLinks> {
  if (which === 'edit') deps.beforeEditReset();
  const response = await fetch(`${deps.linksUrl()}/rotate`, {
    method: 'POST',
    headers: { ...deps.headers(), 'content-type': 'application/json' },
    body: JSON.stringify({ which }),
  });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return (await response.json()) as BoardLinks;
}

function linkRow(title: string, hint: string, value: string, multiline = false): HTMLElement {
  const field = multiline
    ? element('textarea', { value, readOnly: true, rows: 3 })
    : element('input', { value, readOnly: true, type: 'text' });
  field.setAttribute('aria-label', title);
  field.addEventListener('focus', () => field.select());
  const copy = element('button', { className: 'text-button copy-button' }, 'Copy');
  copy.addEventListener('click', () => {
    void copyText(value, field).then(() => {
      copy.textContent = 'Copied';
      setTimeout(() => (copy.textContent = 'Copy'), 1500);
    });
  });
  return element(
    'section',
    { className: 'share-row' },
    element('h3', {}, title, element('small', {}, ` ${hint}`)),
    element('div', { className: 'share-field' }, field, copy),
  );
}

async function copyText(
  text: string,
  field: HTMLInputElement | HTMLTextAreaElement,
): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard permission (e.g. http on another host): fall back to the selection.
    field.select();
    document.execCommand('copy');
  }
}
