/**
 * The SQLite checkpointer's thread (sqlite-checkpointer.ts): its own connection to the board
 * file, copying the write-ahead log back into the database when asked, with PASSIVE checkpoints
 * (they never wait for, or block, the server's writes). Plain JavaScript: it runs in a worker
 * thread with no loader.
 *
 * The log starts over from its beginning (instead of growing) only when a write finds all of it
 * copied; commits that land while a checkpoint runs leave a few frames behind, so the worker
 * looks again shortly, and copies again, until a look finds nothing new (or it has tried
 * CATCH_UP_TRIES times: then the server's thread finishes the job, sqlite-checkpointer.ts).
 *
 *   in   'checkpoint' | 'close'
 *   out  { ms, log, checkpointed, caughtUp }  after each checkpoint that copied something (frames
 *        in the log, frames copied; caughtUp: nothing was written since the one before)
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const CATCH_UP_TRIES = 20;
const CATCH_UP_DELAY_MS = 5;

const db = new Database(workerData.path);
db.pragma(`synchronous = ${workerData.synchronous}`);
let catchUp = null;

/** `previousLog`: the log's frames at the last look; the same again means nothing was written. */
function checkpoint(triesLeft, previousLog) {
  catchUp = null;
  if (!db.open) return;
  const started = performance.now();
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  const log = result?.log ?? 0;
  const checkpointed = result?.checkpointed ?? 0;
  const caughtUp = checkpointed === log && log === previousLog;
  if (!caughtUp || triesLeft === CATCH_UP_TRIES)
    parentPort?.postMessage({ ms: performance.now() - started, log, checkpointed, caughtUp });
  if (!caughtUp && triesLeft > 0)
    catchUp = setTimeout(() => checkpoint(triesLeft - 1, log), CATCH_UP_DELAY_MS);
}

parentPort?.on('message', (message) => {
  if (message === 'close') {
    if (catchUp) clearTimeout(catchUp);
    db.close();
    parentPort?.close();
    return;
  }
  if (message !== 'checkpoint') return;
  if (catchUp) clearTimeout(catchUp);
  checkpoint(CATCH_UP_TRIES, -1);
});
