/**
 * SSE (Boardcast only): viewers on /api/boards/<id>/events while one writer edits at 60 Hz;
 * edit-to-viewer latency from the marker in the patch JSON. The server merges changes to at
 * most ~30 events a second, so each viewer sees the newest marker of each event.
 */
import http from 'node:http';
import { ReceiveStats } from '../clients/lean-reader.ts';
import { LeanWriter } from '../clients/lean-writer.ts';
import { SseViewer } from '../clients/sse-viewer.ts';
import { JOIN_TIMEOUT_MS, OPEN_CONCURRENCY, loadTiming } from './modes.ts';
import type { Mode, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';
import { driveLoad } from './drive-load.ts';

const viewerCount = (mode: Mode) => (mode === 'quick' ? 200 : 1_000);
const WRITE_HZ = 60;
const MAX_P99_MS = 100;

export const sseScenario: Scenario = {
  name: 'sse',
  title: 'SSE viewers',
  describe: (mode) =>
    `${viewerCount(mode).toLocaleString('en-US')} SSE viewers of one board, 1 WebSocket writer editing one shape at ${WRITE_HZ} Hz.`,
  target: `p99 edit→viewer ≤ ${MAX_P99_MS} ms`,
  oursOnly: true,
  fullRepetitions: 3,
  metrics: [
    { key: 'p50Ms', label: 'p50 edit→viewer (ms)', digits: 1 },
    { key: 'p99Ms', label: 'p99 edit→viewer (ms)', digits: 1 },
    { key: 'eventsPerViewerSec', label: 'markers seen per viewer per s', digits: 1 },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1 },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const { server } = context;
    const board = `sse-r${context.rep}`;
    const timing = loadTiming(context.mode);
    const count = viewerCount(context.mode);
    const stats = new ReceiveStats();
    const writer = await LeanWriter.open(server.address(board), 'sse-shape', 0, JOIN_TIMEOUT_MS);
    const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
    const viewers: SseViewer[] = [];
    try {
      const url = `${server.httpBase}/api/boards/${board}/events`;
      for (let start = 0; start < count; start += OPEN_CONCURRENCY) {
        const batch = Math.min(OPEN_CONCURRENCY, count - start);
        viewers.push(
          ...(await Promise.all(
            Array.from({ length: batch }, () => SseViewer.open(url, stats, agent, JOIN_TIMEOUT_MS)),
          )),
        );
      }
      const drive = { server, stats: [stats], timing, actors: 1, hz: WRITE_HZ };
      const measured = await driveLoad(drive, () => writer.edit());
      return {
        rows: [
          {
            row: `${count.toLocaleString('en-US')} viewers`,
            values: {
              p50Ms: stats.latency.quantile(0.5),
              p99Ms: stats.latency.quantile(0.99),
              eventsPerViewerSec: stats.deliveries / count / (measured.wallMs / 1000),
              serverCpuPct: measured.serverCpuPct,
              loadgenCpuPct: measured.loadgenCpuPct,
              otherCpuPct: measured.otherCpuPct,
            },
          },
        ],
        notes: measured.cpuNote ? [measured.cpuNote] : [],
      };
    } finally {
      for (const viewer of viewers) viewer.close();
      agent.destroy();
      await writer.close();
    }
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const [row] = [...(medians.get('ours')?.keys() ?? [])];
    const p99 = row === undefined ? Number.NaN : valueOf(medians, 'ours', row, 'p99Ms');
    return allOf([check(p99 <= MAX_P99_MS, `p99 ${show(p99, 1)} ms`, p99)]);
  },
};
