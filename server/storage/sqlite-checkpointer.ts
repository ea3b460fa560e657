/**
 * Keeps SQLite's checkpoints off the server's thread. In WAL mode every commit appends to the
 * write-ahead log, and by default the commit that takes the log past 1,000 pages also copies it
 * back into the database and syncs both files, on the thread that committed: a stall of several
 * milliseconds (tens when the disk is busy) for whatever update happened to be relayed then.
 *
 * Here the server's own connection never checkpoints (`wal_autocheckpoint = 0`); after about as
 * much writing as the default would allow, a worker thread with its own connection runs PASSIVE
 * checkpoints (sqlite-checkpoint-worker.mjs), which neither wait for nor block the server's
 * writes. What is left on the server's thread is the log starting over once all of it is copied
 * (a header write and sync, by the first commit after the checkpoint). Durability is
 * unchanged: a commit is in the log before it is relayed either way, and the log is copied and
 * synced the same as before, only elsewhere. Should the worker fail, the server's connection
 * checkpoints itself again, as by default.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's own default: the log is checkpointed at about this many pages. */
export const CHECKPOINT_PAGES = 1_000;
/**
 * A log this long means the worker's checkpoints never catch up (writes land during every one,
 * so the log never starts over): the server's thread then checkpoints once itself, between
 * events, as SQLite would have on every 1,000 pages.
 */
export const MAX_LOG_PAGES = 4 * CHECKPOINT_PAGES;
/** The worker holds the checkpoint lock for a few ms at a time: the server's thread tries again. */
const BUSY_RETRY_MS = 3;
const BUSY_RETRIES = 10;
/** Pages a commit of small updates writes (the log table, its index, the sequence). */
const PAGES_PER_COMMIT = 3;
const PAGE_BYTES = 4_096;

export interface Checkpoint {
  ms: number;
  /** Frames in the log, and how many of them were copied into the database. */
  log: number;
  checkpointed: number;
  /** Where it ran: the worker, or the server's own thread (the log had grown past MAX_LOG_PAGES). */
  thread: 'worker' | 'server';
}

export interface Checkpointer {
  /** A transaction committed `bytes` of data: checkpoints once about CHECKPOINT_PAGES were written. */
  wrote(bytes: number): void;
  close(): Promise<void>;
}

export function startCheckpointer(
  db: Database.Database,
  options: {
    synchronous: string;
    onCheckpoint?(checkpoint: Checkpoint): void;
    onFailure(error: unknown): void;
  },
): Checkpointer {
  db.pragma('wal_autocheckpoint = 0');
  let pages = 0;
  let closing = false;
  let failed = false;
  const worker = new Worker(new URL('./sqlite-checkpoint-worker.mjs', import.meta.url), {
    workerData: { path: db.name, synchronous: options.synchronous },
    execArgv: [], // plain JavaScript: no loader in its thread
  });
  worker.unref();
  const fail = (error: unknown) => {
    if (failed || closing) return;
    failed = true;
    if (db.open) db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    options.onFailure(error);
  };
  let checkpointHere: NodeJS.Timeout | null = null;
  /** Between events; again a little later while the worker's own checkpoint holds the lock. */
  const checkpointOnThisThread = (triesLeft: number) => {
    checkpointHere = null;
    if (closing || !db.open) return;
    const started = performance.now();
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<Record<string, number>>;
    if (result?.busy && triesLeft > 0) {
      checkpointHere = setTimeout(() => checkpointOnThisThread(triesLeft - 1), BUSY_RETRY_MS);
      return;
    }
    options.onCheckpoint?.({
      ms: performance.now() - started,
      log: result?.log ?? 0,
      checkpointed: result?.checkpointed ?? 0,
      thread: 'server',
    });
  };
  worker.on('message', (checkpoint: Omit<Checkpoint, 'thread'>) => {
    options.onCheckpoint?.({ ...checkpoint, thread: 'worker' });
    if (checkpoint.log > MAX_LOG_PAGES)
      checkpointHere ??= setTimeout(() => checkpointOnThisThread(BUSY_RETRIES), 0);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the checkpoint worker exited with ${code}`)));
  return {
    wrote(bytes) {
      if (failed || closing) return;
      pages += PAGES_PER_COMMIT + Math.ceil(bytes / PAGE_BYTES);
      if (pages < CHECKPOINT_PAGES) return;
      pages = 0;
      worker.postMessage('checkpoint');
    },
    async close() {
      if (closing) return;
      closing = true;
      if (checkpointHere) clearTimeout(checkpointHere);
      if (failed) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref(); // the process waits for the worker to let go of the file
      worker.postMessage('close');
      await exited;
    },
  };
}
