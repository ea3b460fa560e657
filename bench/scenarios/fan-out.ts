/** fan-out: one writer at 60 Hz, 500 readers; server CPU per delivery. */
import { runEditLoad } from './edit-load.ts';
import type { Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const READERS = 500;
const WRITE_HZ = 60;
const MAX_CPU_RATIO = 0.6;
const ROW = `${READERS} readers`;

export const fanOutScenario: Scenario = {
  name: 'fan-out',
  title: 'Fan-out: one writer, 500 readers',
  describe: () => `1 room, 1 writer at ${WRITE_HZ} Hz, ${READERS} lean readers.`,
  target: `server CPU per delivery ≤ ${MAX_CPU_RATIO}× @y/websocket-server`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'cpuUsPerDelivery', label: 'server CPU per delivery (µs)', digits: 2, ratio: true },
    {
      key: 'systemUsPerDelivery',
      label: 'of which in the kernel (µs)',
      digits: 2,
      ratio: true,
    },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1, ratio: true },
    { key: 'deliveriesPerSec', label: 'deliveries/s', digits: 0 },
    { key: 'p50Ms', label: 'p50 latency (ms)', digits: 2, ratio: true },
    { key: 'p99Ms', label: 'p99 latency (ms)', digits: 2, ratio: true },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const result = await runEditLoad(context, {
      room: `fanout-r${context.rep}`,
      readers: READERS,
      writers: 1,
      hz: WRITE_HZ,
    });
    const { cpuUsPerDelivery, systemUsPerDelivery, serverCpuPct, deliveriesPerSec, p50Ms, p99Ms } =
      result;
    const { loadgenCpuPct, otherCpuPct } = result;
    return {
      rows: [
        {
          row: ROW,
          values: {
            cpuUsPerDelivery,
            systemUsPerDelivery,
            serverCpuPct,
            deliveriesPerSec,
            p50Ms,
            p99Ms,
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
    const ours = valueOf(medians, 'ours', ROW, 'cpuUsPerDelivery');
    const yws = valueOf(medians, 'yws', ROW, 'cpuUsPerDelivery');
    return allOf([
      check(
        ours <= MAX_CPU_RATIO * yws,
        `${show(ours, 2)} µs vs ${show(yws, 2)} µs = ${show(ours / yws, 2)}×`,
        ours,
        yws,
      ),
    ]);
  },
};
