/** relay: one room, 2 / 50 / 200 clients, one writer at 60 Hz; writer-to-reader latency. */
import { runEditLoad } from './edit-load.ts';
import type { RowResult, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, rowsOf, show, valueOf } from './verdicts.ts';

const CLIENT_COUNTS = [2, 50, 200] as const;
const WRITE_HZ = 60;

export const relayScenario: Scenario = {
  name: 'relay',
  title: 'Relay: one writer at 60 Hz',
  describe: () =>
    `1 room of ${CLIENT_COUNTS.join(' / ')} clients (1 writer, the rest readers); the writer edits one shape at ${WRITE_HZ} Hz.`,
  target: 'p99 writer→reader ≤ both references at every size',
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'p50Ms', label: 'p50 latency (ms)', digits: 2, ratio: true },
    { key: 'p99Ms', label: 'p99 latency (ms)', digits: 2, ratio: true },
    { key: 'deliveredShare', label: 'updates delivered ÷ sent in window', digits: 3 },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1, ratio: true },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const rows: RowResult[] = [];
    const notes: string[] = [];
    for (const clients of CLIENT_COUNTS) {
      const room = `relay-${clients}-r${context.rep}`;
      const result = await runEditLoad(context, {
        room,
        readers: clients - 1,
        writers: 1,
        hz: WRITE_HZ,
      });
      if (result.cpuNote) notes.push(`${clients} clients: ${result.cpuNote}`);
      rows.push({
        row: `${clients} clients`,
        values: {
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          deliveredShare: result.deliveredShare,
          serverCpuPct: result.serverCpuPct,
          loadgenCpuPct: result.loadgenCpuPct,
          otherCpuPct: result.otherCpuPct,
          converged: result.converged ? 1 : 0,
        },
      });
    }
    return { rows, notes };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    return allOf(
      rowsOf(medians, 'ours').map((row) => {
        const ours = valueOf(medians, 'ours', row, 'p99Ms');
        const references = (['yws', 'hocuspocus'] as const).map((name) =>
          valueOf(medians, name, row, 'p99Ms'),
        );
        const measured = references.filter((value) => Number.isFinite(value));
        return check(
          measured.every((value) => ours <= value),
          `${row}: p99 ${show(ours, 2)} ms vs ${references.map((value) => show(value, 2)).join(' / ')} ms`,
          ours,
          ...(measured.length > 0 ? measured : [Number.NaN]),
        );
      }),
    );
  },
};
