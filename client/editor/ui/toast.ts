/** A short message at the bottom of the page that goes away by itself (never blocks). */
const TOAST_MS = 4_000;

export function showToast(message: string): void {
  const toast = document.createElement('div');
  toast.className = 'toast';
  toast.setAttribute('role', 'alert');
  toast.textContent = message;
  document.body.append(toast);
  setTimeout(() => toast.remove(), TOAST_MS);
}
