/** An in-page yes/no question for a step that cannot be undone (never window.confirm, which blocks). */
import { element, openDialog } from './dialog.ts';

export interface Confirmation {
  title: string;
  message: string;
  /** The label of the button that goes ahead (e.g. "Delete board"). */
  confirm: string;
}

/** Resolves true when the person confirmed; false on Cancel, Escape or a click outside. */
export function askToConfirm({ title, message, confirm }: Confirmation): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = element('button', { type: 'button', className: 'danger-button' }, confirm);
    const no = element('button', { type: 'button', className: 'text-button' }, 'Cancel');
    const body = element(
      'div',
      { className: 'confirm-body' },
      element('p', {}, message),
      element('div', { className: 'confirm-actions' }, no, yes),
    );
    const dialog = openDialog(title, body, 'confirm-dialog');
    let answer = false;
    yes.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => resolve(answer));
    no.focus();
  });
}
