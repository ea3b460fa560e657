/** Share: the edit link, the view link and the embed snippet, each with a copy button. */
import { element, openDialog } from './dialog.ts';

export interface BoardLinks {
  editId: string;
  viewId: string;
  editUrl: string;
  viewUrl: string;
  embedHtml: string;
}

export async function openShareDialog(linksUrl: string, headers: HeadersInit): Promise<void> {
  const body = element('div', { className: 'share-body' }, element('p', {}, 'Loading links…'));
  openDialog('Share this board', body, 'share-dialog');
  try {
    const response = await fetch(linksUrl, { headers });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const links = (await response.json()) as BoardLinks;
    body.replaceChildren(
      linkRow('Edit link', 'Anyone with it can edit.', links.editUrl),
      linkRow('View link', 'Read-only, live.', links.viewUrl),
      linkRow('Embed', 'Paste into a web page.', links.embedHtml, true),
    );
  } catch (error) {
    body.replaceChildren(
      element('p', { className: 'error' }, `Could not load the links: ${(error as Error).message}`),
    );
  }
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
