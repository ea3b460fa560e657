/**
 * Rasterises board SVGs to PNG in one worker thread (png-worker.mjs, resvg), so a render of a
 * big board (hundreds of milliseconds to seconds: docs/thumbnails.md) never blocks sync on the
 * main thread. Jobs run one at a time in arrival order; past `maxQueued` waiting jobs a new one
 * is refused at once (BusyError → 503), and a render that takes longer than `timeoutMs` ends
 * the worker (a fresh one starts with the next job).
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export class BusyError extends Error {
  override name = 'BusyError';
}

/** How the image is fitted: to a width in pixels, or (a very tall board) to a height. */
export type Fit = { mode: 'width'; value: number } | { mode: 'height'; value: number };

export interface PngRenderer {
  render(svg: string, fit: Fit): Promise<Buffer>;
  close(): Promise<void>;
}

export interface PngRendererOptions {
  maxQueued: number;
  timeoutMs: number;
}

/**
 * Sans-serif fonts found on common systems (Debian/Ubuntu, Fedora, Alpine, macOS), first found
 * wins; without any, shapes are drawn and text is left out.
 */
const FONT_CANDIDATES = [
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: '/usr/share/fonts/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', family: 'DejaVu Sans' },
  {
    file: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    family: 'Liberation Sans',
  },
  {
    file: '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
    family: 'Liberation Sans',
  },
  { file: '/Library/Fonts/Arial.ttf', family: 'Arial' },
  { file: '/System/Library/Fonts/Supplemental/Arial.ttf', family: 'Arial' },
];

export function thumbnailFont(): { fontFiles: string[]; fontFamily: string } {
  const found = FONT_CANDIDATES.find((candidate) => fs.existsSync(candidate.file));
  return found
    ? { fontFiles: [found.file], fontFamily: found.family }
    : { fontFiles: [], fontFamily: '' };
}

interface Job {
  svg: string;
  fit: Fit;
  resolve(png: Buffer): void;
  reject(error: Error): void;
}

type Reply = { id: number; png: Uint8Array } | { id: number; error: string };

export function createPngRenderer(options: PngRendererOptions): PngRenderer {
  const font = thumbnailFont();
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let running: { id: number; job: Job; timer: NodeJS.Timeout } | null = null;
  let nextId = 0;
  let closed = false;

  const finish = (outcome: (job: Job) => void) => {
    if (!running) return;
    clearTimeout(running.timer);
    const { job } = running;
    running = null;
    outcome(job);
    next();
  };

  const startWorker = (): Worker => {
    const started = new Worker(new URL('./png-worker.mjs', import.meta.url), {
      workerData: font,
    });
    started.unref();
    started.on('message', (reply: Reply) => {
      if (running?.id !== reply.id) return;
      if ('png' in reply)
        finish((job) =>
          job.resolve(Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength)),
        );
      else finish((job) => job.reject(new Error(reply.error)));
    });
    started.on('error', (error) => {
      worker = null;
      finish((job) => job.reject(error));
    });
    started.on('exit', () => {
      if (worker === started) worker = null;
      finish((job) => job.reject(new Error('the renderer stopped')));
    });
    return started;
  };

  const next = () => {
    if (running || closed) return;
    const job = queue.shift();
    if (!job) return;
    worker ??= startWorker();
    const id = nextId++;
    const current = worker;
    const timer = setTimeout(() => {
      // A render that hangs or runs away: end the worker; the next job gets a new one.
      worker = null;
      void current.terminate();
      finish((stuck) => stuck.reject(new Error(`rendering took over ${options.timeoutMs} ms`)));
    }, options.timeoutMs);
    running = { id, job, timer };
    current.postMessage({ id, svg: job.svg, fit: job.fit });
  };

  return {
    render(svg, fit) {
      if (closed) return Promise.reject(new Error('the renderer is closed'));
      if (queue.length >= options.maxQueued)
        return Promise.reject(new BusyError('too many thumbnails waiting to render'));
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ svg, fit, resolve, reject });
        next();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the renderer is closed'));
      const current = worker;
      worker = null;
      await current?.terminate();
    },
  };
}
