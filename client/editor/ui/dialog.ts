/** A small modal dialog (native <dialog>): title, body, a close button; Escape closes it. */
export function openDialog(title: string, body: HTMLElement, className = ''): HTMLDialogElement {
  const dialog = document.createElement('dialog');
  dialog.className = `dialog ${className}`.trim();
  const header = document.createElement('header');
  const heading = document.createElement('h2');
  heading.textContent = title;
  const close = document.createElement('button');
  close.className = 'icon-button dialog-close';
  close.setAttribute('aria-label', 'Close');
  close.textContent = '×';
  close.addEventListener('click', () => dialog.close());
  header.append(heading, close);
  dialog.append(header, body);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Whether any modal dialog is open (the editor's shortcuts pause meanwhile). */
export function isDialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}
