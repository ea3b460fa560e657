/**
 * storage (Boardcast only): on a board of 100 shapes, one user drags a shape at 60 Hz.
 * Commits come from /metrics; after the user leaves and the board unloads (ROOM_GRACE_MS),
 * the bytes left on disk are compared with the size of the board's state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as Y from 'yjs';
import { addShapes, updateShapes } from '../../common/board/board-doc.ts';
import { FullClient } from '../clients/full-client.ts';
import { benchShape } from '../clients/lean-writer.ts';
import { runTicker } from '../clients/ticker.ts';
import { metricTotal, readMetrics } from '../servers/prometheus.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import { measureStored } from './stored-bytes.ts';
import type { Mode, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const SHAPES = 100;
const DRAG_HZ = 60;
const MAX_STORED_RATIO = 1.2;
const MAX_COMMITS_PER_TICK = 1;
/** COMPACT_AFTER_UPDATES, left at its default. */
const COMPACT_EVERY_UPDATES = 1_000;
/** Unload 1 s after the user leaves (default 10 s) so the run does not idle; unloading flushes. */
const GRACE_MS = 1_000;
const UNLOAD_TIMEOUT_MS = 20_000;
const UNLOAD_POLL_MS = 250;
const dragMs = (mode: Mode) => (mode === 'quick' ? 10_000 : 30_000);
const ROW = 'one user dragging';

export const storageScenario: Scenario = {
  name: 'storage',
  title: 'Storage: one user dragging',
  describe: (mode) =>
    `A board of ${SHAPES} shapes; one full client drags one shape at ${DRAG_HZ} Hz for ${dragMs(mode) / 1000} s, then leaves; stored bytes are read from the SQLite file once the board has unloaded (ROOM_GRACE_MS=${GRACE_MS}, otherwise server defaults).`,
  target: `≤ ${MAX_COMMITS_PER_TICK} commit per tick (1/${DRAG_HZ} s); stored ≤ ${MAX_STORED_RATIO}× the state after compaction`,
  oursOnly: true,
  fullRepetitions: 1,
  serverEnv: { ROOM_GRACE_MS: String(GRACE_MS) },
  metrics: [
    { key: 'commitsPerSec', label: 'commits/s', digits: 1 },
    { key: 'commitsPerTick', label: 'commits per drag tick', digits: 2 },
    { key: 'loggedKbPerSec', label: 'update bytes committed (KB/s)', digits: 1 },
    { key: 'compactions', label: 'compactions', digits: 0 },
    { key: 'stateKb', label: 'state size (KB)', digits: 1 },
    { key: 'storedKb', label: 'stored payload after unload (KB)', digits: 1 },
    { key: 'storedRatio', label: 'stored ÷ state', digits: 2 },
    { key: 'logKb', label: '… the update log (KB)', digits: 1 },
    { key: 'historyKb', label: '… history checkpoints (KB)', digits: 1 },
    { key: 'fileKb', label: 'data dir files (KB)', digits: 0 },
  ],
  async run(context) {
    const { server } = context;
    const client = await FullClient.open(
      server.address(`storage-r${context.rep}`),
      JOIN_TIMEOUT_MS,
    );
    addShapes(
      client.doc,
      Array.from({ length: SHAPES }, (_, index) => benchShape(`s${index}`, index)),
    );
    const before = await readMetrics(server.httpBase);
    const started = performance.now();
    const ticks = await runTicker({ hz: DRAG_HZ, durationMs: dragMs(context.mode) }, (tick) => {
      updateShapes(
        client.doc,
        new Map([['s0', { x: 100 + (tick % 600), y: 100 + ((tick * 3) % 400) }]]),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    const stateBytes = Y.encodeStateAsUpdate(client.doc).byteLength;
    await client.close();
    const unloaded = await waitForUnload(server.httpBase, UNLOAD_TIMEOUT_MS);
    const after = await readMetrics(server.httpBase);
    const delta = (name: string) => metricTotal(after, name) - metricTotal(before, name);
    const stored = await measureStored(server.dataDir);
    const commits = delta('boardcast_storage_commits_total');
    return {
      rows: [
        {
          row: ROW,
          values: {
            commitsPerSec: commits / seconds,
            commitsPerTick: commits / ticks,
            loggedKbPerSec: delta('boardcast_storage_bytes_total') / 1024 / seconds,
            compactions: delta('boardcast_compactions_total'),
            stateKb: stateBytes / 1024,
            storedKb: stored.blobBytes / 1024,
            storedRatio: stored.blobBytes / stateBytes,
            logKb: (stored.blobBytesByTable.get('updates') ?? 0) / 1024,
            historyKb: (stored.blobBytesByTable.get('history') ?? 0) / 1024,
            fileKb: stored.fileBytes / 1024,
          },
        },
      ],
      notes: unloaded
        ? []
        : [`the board was still loaded ${UNLOAD_TIMEOUT_MS / 1000} s after the user left`],
    };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const perTick = valueOf(medians, 'ours', ROW, 'commitsPerTick');
    const ratio = valueOf(medians, 'ours', ROW, 'storedRatio');
    return allOf([
      check(perTick <= MAX_COMMITS_PER_TICK, `${show(perTick, 2)} commits per tick`, perTick),
      check(ratio <= MAX_STORED_RATIO, `stored ${show(ratio, 2)}× state`, ratio),
    ]);
  },
  explain(medians) {
    const get = (key: string) => valueOf(medians, 'ours', ROW, key);
    const stored = get('storedKb');
    if (!Number.isFinite(stored)) return [];
    return [
      `Of the ${show(stored, 1)} KB stored, the board's update log is ${show(get('logKb'), 1)} KB (its state is ${show(get('stateKb'), 1)} KB: the log was compacted into one state ${show(get('compactions'), 0)} times: every ${COMPACT_EVERY_UPDATES.toLocaleString('en-US')} updates, and when the board unloaded) and its history checkpoints ${show(get('historyKb'), 1)} KB (whole states, gzipped; see Board history).`,
    ];
  },
};

/** Polls /metrics until no board is loaded. */
async function waitForUnload(httpBase: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const loaded = metricTotal(await readMetrics(httpBase), 'boardcast_boards_loaded');
    if (loaded === 0) return true;
    await sleep(UNLOAD_POLL_MS);
  }
  return false;
}
