/**
 * churn: many boards opened and closed, one after another (a few at a time); does the heap
 * come back? Every 10th board gets a shape written, so storage is exercised too. The heap is
 * sampled after a full GC until it is back within 5 MB of the baseline or the settle time
 * (Boardcast keeps a board loaded for ROOM_GRACE_MS after its last peer; set to 1 s here).
 */
import { ignoreFrames } from '../clients/lean-reader.ts';
import { LeanSocket } from '../clients/lean-socket.ts';
import { LeanWriter } from '../clients/lean-writer.ts';
import type { RunningServer } from '../servers/launch.ts';
import { waitForHeapToSettle } from './churn-settle.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { Mode, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const boardCount = (mode: Mode) => (mode === 'quick' ? 1_000 : 10_000);
const WARMUP_BOARDS = 100;
const CONCURRENCY = 50;
const WRITE_EVERY = 10;
const MAX_HEAP_GROWTH_MB = 5;
/**
 * Boardcast keeps an unused board loaded for ROOM_GRACE_MS (10 s by default); 1 s here so the
 * run does not spend most of its time waiting. Unloading itself is what is measured.
 */
const GRACE_MS = 1_000;
const SETTLE_MARGIN_MS = 2_000;
const SETTLE_TIMEOUT_MS = 15_000;
const MB = 1024 * 1024;

async function churn(server: RunningServer, prefix: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const address = server.address(`${prefix}-${index}`);
      if (index % WRITE_EVERY === 0) {
        const writer = await LeanWriter.open(address, 'shape', index, JOIN_TIMEOUT_MS);
        await writer.close();
      } else {
        const { socket } = await LeanSocket.open(address, ignoreFrames, JOIN_TIMEOUT_MS);
        await socket.close();
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export const churnScenario: Scenario = {
  name: 'churn',
  title: 'Churn: boards opened and closed',
  describe: (mode) =>
    `${boardCount(mode).toLocaleString('en-US')} boards, each joined by one client and left again, ${CONCURRENCY} at a time (every ${WRITE_EVERY}th gets a shape written), after ${WARMUP_BOARDS} warm-up boards; heap after a full GC, polled until stable (up to ${SETTLE_TIMEOUT_MS / 1000} s). Boardcast runs with ROOM_GRACE_MS=${GRACE_MS}.`,
  target: `heap after GC back within ${MAX_HEAP_GROWTH_MB} MB of the baseline`,
  oursOnly: false,
  fullRepetitions: 1,
  serverEnv: { ROOM_GRACE_MS: String(GRACE_MS) },
  metrics: [
    { key: 'heapGrowthMb', label: 'heap above baseline after GC (MB)', digits: 2, ratio: true },
    { key: 'rssGrowthMb', label: 'RSS above baseline (MB)', digits: 1, ratio: true },
    { key: 'settleSec', label: 'time until back within 5 MB (s; ∞ = not at the end)', digits: 1 },
    { key: 'boardsPerSec', label: 'boards opened and closed per s', digits: 0, ratio: true },
  ],
  async run(context) {
    const { server } = context;
    const count = boardCount(context.mode);
    await churn(server, `warm-r${context.rep}`, WARMUP_BOARDS);
    const baseline = await server.sample(true);
    const started = performance.now();
    await churn(server, `churn-r${context.rep}`, count);
    const boardsPerSec = count / ((performance.now() - started) / 1000);
    const settled = await waitForHeapToSettle(server, {
      baseline,
      boundMb: MAX_HEAP_GROWTH_MB,
      minWaitMs: GRACE_MS + SETTLE_MARGIN_MS,
      timeoutMs: SETTLE_TIMEOUT_MS,
    });
    return {
      rows: [
        {
          row: `${count.toLocaleString('en-US')} boards`,
          values: {
            heapGrowthMb: settled.growthMb,
            rssGrowthMb: (settled.after.rss - baseline.rss) / MB,
            settleSec: settled.withinAfterSec,
            boardsPerSec,
          },
        },
      ],
      notes: [],
    };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const [row] = [...(medians.get('ours')?.keys() ?? [])];
    const growth = row === undefined ? Number.NaN : valueOf(medians, 'ours', row, 'heapGrowthMb');
    return allOf([
      check(growth <= MAX_HEAP_GROWTH_MB, `${show(growth, 2)} MB above baseline`, growth),
    ]);
  },
};
