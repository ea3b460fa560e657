/** many writers: 50 writers at 30 Hz in one room; latency, frames per reader per tick, CPU. */
import { BUSY_TICK_MS, BUSY_UPDATES_PER_TICK } from '../../server/room/flush-pacer.ts';
import { runEditLoad } from './edit-load.ts';
import type { Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const WRITERS = 50;
/** Readers besides the writers; writers receive everything too but are not measured. */
const READERS = 10;
const WRITE_HZ = 30;
const MAX_P99_MS = 50;
const MAX_FRAMES_PER_TICK = 1;
const ROW = `${WRITERS} writers`;

export const manyWritersScenario: Scenario = {
  name: 'many-writers',
  title: 'Many writers: 50 writers at 30 Hz',
  describe: () =>
    `1 room, ${WRITERS} writers each editing its own shape at ${WRITE_HZ} Hz (phases spread), ${READERS} lean readers.`,
  target: `≤ ${MAX_FRAMES_PER_TICK} frame per reader per tick (1/${WRITE_HZ} s); p99 ≤ ${MAX_P99_MS} ms`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'p50Ms', label: 'p50 latency (ms)', digits: 2, ratio: true },
    { key: 'p99Ms', label: 'p99 latency (ms)', digits: 2, ratio: true },
    { key: 'framesPerReaderTick', label: 'frames per reader per tick', digits: 2, ratio: true },
    { key: 'deliveredShare', label: 'updates delivered ÷ sent in window', digits: 3 },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1, ratio: true },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const result = await runEditLoad(context, {
      room: `writers-r${context.rep}`,
      readers: READERS,
      writers: WRITERS,
      hz: WRITE_HZ,
    });
    const {
      p50Ms,
      p99Ms,
      framesPerReaderTick,
      deliveredShare,
      serverCpuPct,
      loadgenCpuPct,
      otherCpuPct,
    } = result;
    return {
      rows: [
        {
          row: ROW,
          values: {
            p50Ms,
            p99Ms,
            framesPerReaderTick,
            deliveredShare,
            serverCpuPct,
            loadgenCpuPct,
            otherCpuPct,
            converged: result.converged ? 1 : 0,
          },
        },
      ],
      notes: result.cpuNote ? [result.cpuNote] : [],
    };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const frames = valueOf(medians, 'ours', ROW, 'framesPerReaderTick');
    const p99 = valueOf(medians, 'ours', ROW, 'p99Ms');
    return allOf([
      check(frames <= MAX_FRAMES_PER_TICK, `${show(frames, 2)} frames per reader per tick`, frames),
      check(p99 <= MAX_P99_MS, `p99 ${show(p99, 2)} ms`, p99),
    ]);
  },
  explain(medians) {
    const get = (server: 'ours' | 'yws', key: string) => valueOf(medians, server, ROW, key);
    const p50 = get('ours', 'p50Ms');
    if (!Number.isFinite(p50)) return [];
    const sentences = [
      `${(WRITERS * WRITE_HZ).toLocaleString('en-US')} updates a second make the room busy (more than ${BUSY_UPDATES_PER_TICK} in a tick), so Boardcast commits and relays it once per ${show(BUSY_TICK_MS, 1)} ms: every reader gets one merged frame per tick, and an update waits for the end of its tick, ${show(BUSY_TICK_MS / 2, 1)} ms on average (p50 ${show(p50, 2)} ms, p99 ${show(get('ours', 'p99Ms'), 2)} ms).`,
    ];
    const yCpu = get('yws', 'serverCpuPct');
    if (Number.isFinite(yCpu))
      sentences.push(
        `@y/websocket-server writes every update to every reader on its own (${show(get('yws', 'framesPerReaderTick'), 1)} frames per reader per tick): less waiting while it keeps up (p50 ${show(get('yws', 'p50Ms'), 2)} ms), for ${show(yCpu, 1)} % of a core against Boardcast's ${show(get('ours', 'serverCpuPct'), 1)} %.`,
      );
    return sentences;
  },
};
