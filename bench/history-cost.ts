/**
 * `npm run bench:history`: what board history costs in storage. For boards of a few sizes, a
 * stock y-websocket client builds a typical board (labelled boxes, arrows bound to them, sticky
 * notes, pen strokes), then edits it in stretches (moves, text edits, a few shapes deleted and
 * added), each stretch closed by a checkpoint (HISTORY_INTERVAL_MS is short here). Reports the
 * bytes each checkpoint stores against the board's state, and what a day of editing costs.
 * Writes its section of docs/benchmarks.md between the history markers (`npm run bench` keeps it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { addShapes, removeShapes, updateShapes } from '../common/board/board-doc.ts';
import { SHAPE_DEFAULTS, type Shape } from '../common/board/shape.ts';
import { createBoardcastServer } from '../server/app.ts';
import { parseConfig } from '../server/config.ts';
import { HISTORY_END, HISTORY_START, withSection } from './kept-sections.ts';

const SIZES = [100, 1_000, 5_000];
const STRETCHES = 6;
const INTERVAL_MS = 400;
/** A working day of continuous editing, at the default HISTORY_INTERVAL_MS (10 min). */
const CHECKPOINTS_PER_DAY = (8 * 60) / 10;
const ROOT = path.resolve(import.meta.dirname, '..');
const REPORT = path.join(ROOT, 'docs', 'benchmarks.md');

/** One shape of a typical board: boxes with labels, arrows between them, notes, pen strokes. */
function typicalShape(i: number): Shape {
  const base = { ...SHAPE_DEFAULTS, id: `s${i}`, x: (i % 40) * 220, y: Math.floor(i / 40) * 160 };
  switch (i % 5) {
    case 0:
    case 1:
      return { ...base, type: 'rect', width: 160, height: 80, points: [], text: `Step ${i}` };
    case 2:
      return {
        ...base,
        type: 'arrow',
        width: 0,
        height: 0,
        points: [0, 0, 60, 0],
        startId: `s${i - 2}`,
        endId: `s${i - 1}`,
      };
    case 3:
      return {
        ...base,
        type: 'sticky',
        width: 140,
        height: 140,
        points: [],
        fill: '#ffec99',
        text: `Idea ${i}: something worth remembering`,
      };
    default:
      return {
        ...base,
        type: 'pen',
        width: 0,
        height: 0,
        points: Array.from({ length: 80 }, (_, k) => Math.round(20 * Math.sin(k / 3) + k)),
      };
  }
}

/** One stretch of editing: 10 % moved, 5 % retyped, 2 % deleted and as many added. */
function editStretch(doc: Y.Doc, size: number, stretch: number, next: { id: number }): void {
  const changes = new Map<string, Partial<Shape>>();
  for (let i = stretch; i < size; i += 10) changes.set(`s${i}`, { x: stretch * 7 + i });
  for (let i = stretch + 3; i < size; i += 20) changes.set(`s${i}`, { text: `edit ${stretch}` });
  doc.transact(() => {
    updateShapes(doc, changes);
    removeShapes(
      doc,
      Array.from({ length: Math.ceil(size / 50) }, (_, k) => `s${stretch + k * 50}`),
    );
    addShapes(
      doc,
      Array.from({ length: Math.ceil(size / 50) }, () => typicalShape(next.id++)),
    );
  });
}

interface SizeResult {
  size: number;
  checkpoints: number;
  stateBytes: number;
  medianBytes: number;
  maxBytes: number;
}

async function measure(
  port: number,
  store: ReturnType<typeof createBoardcastServer>['context']['store'],
  size: number,
): Promise<SizeResult> {
  const id = `history-bench-${size}`;
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/ws`, id, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, // ws is API-compatible
    disableBc: true,
  });
  await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
  const next = { id: size };
  for (let i = 0; i < size; i += 500)
    addShapes(
      doc,
      Array.from({ length: Math.min(500, size - i) }, (_, k) => typicalShape(i + k)),
    );
  await sleep(INTERVAL_MS * 2);
  for (let stretch = 1; stretch <= STRETCHES; stretch++) {
    editStretch(doc, size, stretch, next);
    await sleep(INTERVAL_MS * 2);
  }
  const stateBytes = Y.encodeStateAsUpdate(doc).byteLength;
  provider.destroy();
  doc.destroy();
  const access = await store.findBoard(id);
  if (!access) throw new Error(`no board ${id}`);
  const list = await store.history.list(access.board.key);
  const bytes = list.map((checkpoint) => checkpoint.bytes).sort((a, b) => a - b);
  return {
    size,
    checkpoints: list.length,
    stateBytes,
    medianBytes: bytes[Math.floor(bytes.length / 2)] ?? 0,
    maxBytes: bytes[bytes.length - 1] ?? 0,
  };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

function section(results: SizeResult[], date: Date): string {
  const rows = results.map(
    (r) =>
      `| ${r.size.toLocaleString('en')} shapes | ${r.checkpoints} | ${kb(r.medianBytes)} | ${kb(r.maxBytes)} | ${kb(r.stateBytes)} | ${(r.medianBytes / r.stateBytes).toFixed(2)} | ${kb(r.medianBytes * CHECKPOINTS_PER_DAY)} | ${((r.medianBytes * CHECKPOINTS_PER_DAY * 30) / 1_048_576).toFixed(1)} |`,
  );
  return [
    HISTORY_START,
    '## Board history: storage cost',
    '',
    `Written by \`npm run bench:history\` on ${date.toISOString()} (${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}); \`npm run bench\` keeps this section.`,
    `A stock client builds a typical board (2/5 labelled boxes, 1/5 arrows bound to them, 1/5 sticky notes, 1/5 pen strokes of 40 points), then edits it in ${STRETCHES} stretches (10 % of the shapes moved, 5 % retyped, 2 % deleted and as many added), each closed by a checkpoint (HISTORY_INTERVAL_MS=${INTERVAL_MS} here). A checkpoint stores the board's whole merged Yjs state, gzipped (deleted shapes are garbage-collected, so it is the size of the board now, not of its past), in SQLite here (PostgreSQL stores the same bytes).`,
    `"Per day" assumes ${CHECKPOINTS_PER_DAY} checkpoints: 8 hours of continuous editing at the default HISTORY_INTERVAL_MS (10 min); "30 days" is the most one board keeps at HISTORY_DAYS=30 with that every day.`,
    '',
    '| board | checkpoints | median per checkpoint, stored (KB) | largest (KB) | board state, raw (KB) | stored ÷ raw | per day (KB) | 30 days (MB) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    HISTORY_END,
  ].join('\n');
}

/** Replaces (or appends) the history section of docs/benchmarks.md. */
function writeSection(text: string): void {
  const current = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Benchmarks\n';
  fs.writeFileSync(REPORT, withSection(current, text));
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boardcast-history-'));
  const server = createBoardcastServer({
    config: parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HISTORY_INTERVAL_MS: String(INTERVAL_MS),
    }),
  });
  const port = await server.listen();
  const results: SizeResult[] = [];
  try {
    for (const size of SIZES) results.push(await measure(port, server.context.store, size));
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const text = section(results, new Date());
  writeSection(text);
  process.stdout.write(`${text}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
