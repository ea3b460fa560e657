/**
 * The editor's offline shell: registers the service worker (client/public/sw.js, at /sw.js) for
 * editor pages (scope /board/: the viewer is never controlled), so that the page itself loads
 * when the server cannot be reached; the board then comes from IndexedDB. A page that loaded
 * before the worker controlled it (the first visit) asks the worker to keep it as the shell,
 * since its own navigation went past the worker.
 *
 * `<html data-offline-shell>` says how it went: `ready` once a reload would work offline,
 * `unavailable` when it will not (no service workers here, or a failure). Failures are logged,
 * never thrown: the editor works the same without them, only not after an offline reload.
 */

export const SERVICE_WORKER_URL = '/sw.js';
export const SERVICE_WORKER_SCOPE = '/board/';
/** Must match SHELL_MESSAGE in client/public/sw.js. */
const SHELL_MESSAGE = 'boardcast:keep-shell';
/** How long the worker may take to fetch and store the shell and its assets. */
const KEEP_SHELL_TIMEOUT_MS = 30_000;

export type OfflineShellState = 'ready' | 'unavailable';

export function registerOfflineShell(): void {
  if (!('serviceWorker' in navigator)) return markShell('unavailable');
  // Inside the promise: reading navigator.serviceWorker itself throws in some sandboxed frames.
  Promise.resolve()
    .then(() => setUpOfflineShell(navigator.serviceWorker))
    .then(
      () => markShell('ready'),
      (error: unknown) => {
        console.warn('Boardcast: the editor will not reload offline:', error);
        markShell('unavailable');
      },
    );
}

async function setUpOfflineShell(container: ServiceWorkerContainer): Promise<void> {
  // Controlled already: this very navigation went through the worker, which kept the shell.
  const controlledAtLoad = container.controller !== null;
  await container.register(SERVICE_WORKER_URL, { scope: SERVICE_WORKER_SCOPE });
  if (controlledAtLoad) return;
  const registration = await container.ready;
  if (!registration.active) throw new Error('no active service worker');
  await askToKeepShell(registration.active);
}

function askToKeepShell(worker: ServiceWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      reject(new Error(`no answer from the service worker in ${KEEP_SHELL_TIMEOUT_MS} ms`));
    }, KEEP_SHELL_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<{ ok: boolean; error?: string }>) => {
      clearTimeout(timer);
      channel.port1.close();
      if (event.data.ok) resolve();
      else reject(new Error(event.data.error ?? 'the service worker could not keep the shell'));
    };
    worker.postMessage({ type: SHELL_MESSAGE }, [channel.port2]);
  });
}

function markShell(state: OfflineShellState): void {
  document.documentElement.dataset.offlineShell = state;
}
