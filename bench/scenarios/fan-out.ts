/** fan-out: one writer at 60 Hz, 500 readers; server CPU per delivery, and what it is made of. */
import { watchCounters } from './counters.ts';
import { runEditLoad } from './edit-load.ts';
import type { MedianTable, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const READERS = 500;
const WRITE_HZ = 60;
const MAX_CPU_RATIO = 0.7;
const ROW = `${READERS} readers`;
/** Boardcast's time in its broadcast loops (socket writes included), updates only. */
const BROADCAST_SECONDS = 'boardcast_broadcast_seconds_total{kind="update"}';

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
    {
      key: 'broadcastUsPerDelivery',
      label: 'time in broadcast loops per delivery, writes included (µs)',
      digits: 2,
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
    const counters = watchCounters(context.server, [BROADCAST_SECONDS]);
    const result = await runEditLoad(context, {
      room: `fanout-r${context.rep}`,
      readers: READERS,
      writers: 1,
      hz: WRITE_HZ,
      hooks: counters.hooks,
    });
    const { cpuUsPerDelivery, systemUsPerDelivery, serverCpuPct, deliveriesPerSec, p50Ms, p99Ms } =
      result;
    const { loadgenCpuPct, otherCpuPct } = result;
    const deliveries = (deliveriesPerSec * result.wallMs) / 1000;
    const broadcastSeconds = counters.growth()[BROADCAST_SECONDS] ?? Number.NaN;
    return {
      rows: [
        {
          row: ROW,
          values: {
            cpuUsPerDelivery,
            systemUsPerDelivery,
            broadcastUsPerDelivery: (1e6 * broadcastSeconds) / deliveries,
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
  explain: explainFanOut,
};

function explainFanOut(medians: MedianTable): string[] {
  const value = (server: 'ours' | 'yws', key: string) => valueOf(medians, server, ROW, key);
  const total = value('ours', 'cpuUsPerDelivery');
  const kernel = value('ours', 'systemUsPerDelivery');
  const loops = value('ours', 'broadcastUsPerDelivery');
  if (!Number.isFinite(total) || !Number.isFinite(kernel)) return [];
  const sentences = [
    `Boardcast: ${show(total, 2)} µs of CPU per delivery, ${show(kernel, 2)} µs of it in the kernel (the socket writes: TCP over loopback, including the reader's side of each segment, which the writing process pays for) and ${show(total - kernel, 2)} µs in the process.`,
  ];
  if (Number.isFinite(loops)) {
    sentences.push(
      `Its broadcast loops (the frame built once, then one write of the same buffer per socket) take ${show(loops, 2)} µs of wall time per delivery, the kernel's part of the writes included: nearly all of the CPU is the writes. Reading, checking, committing and applying the writer's update happen once per update for all ${READERS} readers.`,
    );
  }
  const yTotal = value('yws', 'cpuUsPerDelivery');
  const yKernel = value('yws', 'systemUsPerDelivery');
  if (Number.isFinite(yTotal) && Number.isFinite(yKernel)) {
    const room = MAX_CPU_RATIO * yTotal - kernel;
    sentences.push(
      `@y/websocket-server: ${show(yTotal, 2)} µs, ${show(yKernel, 2)} µs of it in the kernel and ${show(yTotal - yKernel, 2)} µs in the process (ws frames each send on its own: a header buffer and a corked two-part write per reader).`,
      `Every server writes once per reader per update, so the kernel part is about the same for all; ${MAX_CPU_RATIO}× would leave Boardcast ${show(room, 2)} µs per delivery for everything outside the kernel${room <= 0 ? ', less than nothing' : ''}.`,
    );
    const nodeWrite = loops - kernel;
    if (Number.isFinite(nodeWrite) && nodeWrite > room)
      sentences.push(
        `The broadcast loops alone spend about ${show(nodeWrite, 2)} µs per delivery outside the kernel (loops ${show(loops, 2)} − kernel ${show(kernel, 2)} µs): that is Node's own socket write (the stream bookkeeping and one libuv write request per socket), more than ${MAX_CPU_RATIO}× leaves. Below it needs fewer writes per reader than one per update, which a one-writer room only gets by holding updates back.`,
      );
  }
  return sentences;
}
