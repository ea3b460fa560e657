/** Asks for a name once, in the page (never window.prompt, which would block). */
import { cleanName } from '../identity.ts';
import { element, openDialog } from './dialog.ts';

export function askName(suggestion: string, onName: (name: string) => void): void {
  const input = element('input', {
    type: 'text',
    value: suggestion,
    maxLength: 40,
    required: true,
  });
  input.setAttribute('aria-label', 'Your name');
  const form = element(
    'form',
    { className: 'name-form' },
    element('p', {}, 'Others on this board see it next to your cursor.'),
    input,
    element('button', { type: 'submit', className: 'primary-button' }, 'Join'),
  );
  const dialog = openDialog('What’s your name?', form, 'name-dialog');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = cleanName(input.value);
    if (!name) return;
    onName(name);
    dialog.close();
  });
  input.select();
}
