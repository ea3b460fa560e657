/**
 * relay: one room, 2 / 50 / 200 clients, one writer at 60 Hz; writer-to-reader latency, and
 * what it is made of: every server's event loop (delay, GC pauses: probe.ts) and, for
 * Boardcast, where an update spends its time inside the server (its /metrics).
 */
import { histogramDelta, readMetrics, type MetricSeries } from '../servers/prometheus.ts';
import type { ServerName } from '../servers/targets.ts';
import { runEditLoad } from './edit-load.ts';
import type { MedianTable, RowResult, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, rowsOf, show, valueOf } from './verdicts.ts';

const CLIENT_COUNTS = [2, 50, 200] as const;
const WRITE_HZ = 60;
/** Boardcast's p99 over y-ws's, at most, at every size. */
const MAX_P99_RATIO = 1.0;
const REFERENCES = [
  ['yws', 'y-ws'],
  ['hocuspocus', 'Hocuspocus'],
] as const satisfies ReadonlyArray<readonly [ServerName, string]>;

/** Boardcast's own account of the load (its /metrics between before and after). */
function ownAccount(before: MetricSeries, after: MetricSeries): Record<string, number> {
  const committed = histogramDelta(before, after, 'boardcast_relay_seconds', {
    stage: 'committed',
  });
  const sent = histogramDelta(before, after, 'boardcast_relay_seconds', { stage: 'sent' });
  const commit = histogramDelta(before, after, 'boardcast_storage_commit_seconds');
  const checkpoint = histogramDelta(before, after, 'boardcast_storage_checkpoint_seconds');
  const ms = (seconds: number) => seconds * 1000;
  return {
    committedP50Ms: ms(committed.quantile(0.5)),
    committedP99Ms: ms(committed.quantile(0.99)),
    sentP50Ms: ms(sent.quantile(0.5)),
    sentP99Ms: ms(sent.quantile(0.99)),
    commitMeanMs: ms(commit.mean),
    commitP99Ms: ms(commit.quantile(0.99)),
    checkpoints: checkpoint.count,
    checkpointMeanMs: ms(checkpoint.mean),
  };
}

export const relayScenario: Scenario = {
  name: 'relay',
  title: 'Relay: one writer at 60 Hz',
  describe: () =>
    `1 room of ${CLIENT_COUNTS.join(' / ')} clients (1 writer, the rest readers); the writer edits one shape at ${WRITE_HZ} Hz. ` +
    'Boardcast commits every update to SQLite before it relays it; the references keep it in memory. ' +
    "Event-loop delay is how late the server's timer every 10 ms fired (its loop was busy, or the process was not running); " +
    "Boardcast's times inside the server come from its /metrics (histogram buckets: the p99 is an estimate).",
  target: `p99 writer→reader ≤ ${MAX_P99_RATIO.toFixed(1)}× @y/websocket-server (in memory) at ${CLIENT_COUNTS.join(', ')} clients, committing every update first`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'p50Ms', label: 'p50 latency (ms)', digits: 2, ratio: true },
    { key: 'p99Ms', label: 'p99 latency (ms)', digits: 2, ratio: true },
    { key: 'deliveredShare', label: 'updates delivered ÷ sent in window', digits: 3 },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1, ratio: true },
    { key: 'loopDelayP99Ms', label: 'server event-loop delay p99 (ms)', digits: 2, ratio: true },
    { key: 'loopDelayMaxMs', label: 'server event-loop delay max (ms)', digits: 2, ratio: true },
    { key: 'gcMaxMs', label: 'longest GC pause (ms)', digits: 2 },
    { key: 'sentP50Ms', label: 'in server: arrival → sent to all, p50 (ms)', digits: 2 },
    { key: 'sentP99Ms', label: 'in server: arrival → sent to all, p99 (ms)', digits: 2 },
    { key: 'committedP99Ms', label: 'in server: arrival → committed, p99 (ms)', digits: 2 },
    { key: 'commitMeanMs', label: 'storage commit, mean (ms)', digits: 3 },
    { key: 'commitP99Ms', label: 'storage commit, p99 (ms)', digits: 2 },
    { key: 'checkpoints', label: 'WAL checkpoints (on their own thread)', digits: 0 },
    { key: 'checkpointMeanMs', label: 'WAL checkpoint, mean (ms)', digits: 1 },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const rows: RowResult[] = [];
    const notes: string[] = [];
    const ours = context.server.spec.name === 'ours';
    for (const clients of CLIENT_COUNTS) {
      const room = `relay-${clients}-r${context.rep}`;
      // Boardcast's /metrics just before the window opens and just after it closes.
      const metrics: MetricSeries[] = [];
      const read = async () => void metrics.push(await readMetrics(context.server.httpBase));
      const result = await runEditLoad(context, {
        room,
        readers: clients - 1,
        writers: 1,
        hz: WRITE_HZ,
        observeLoop: true,
        ...(ours ? { hooks: { opening: read, closed: read } } : {}),
      });
      const [before, after] = metrics;
      const account = before && after ? ownAccount(before, after) : {};
      if (result.cpuNote) notes.push(`${clients} clients: ${result.cpuNote}`);
      if (!result.loop) notes.push(`${clients} clients: the probe did not report the event loop`);
      rows.push({
        row: `${clients} clients`,
        values: {
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          deliveredShare: result.deliveredShare,
          serverCpuPct: result.serverCpuPct,
          loopDelayP99Ms: result.loop?.delayP99Ms ?? Number.NaN,
          loopDelayMaxMs: result.loop?.delayMaxMs ?? Number.NaN,
          gcMaxMs: result.loop?.gcMaxMs ?? Number.NaN,
          ...account,
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
        const yws = valueOf(medians, 'yws', row, 'p99Ms');
        return check(
          ours <= MAX_P99_RATIO * yws,
          `${row}: p99 ${show(ours, 2)} ms, ${ratios(medians, row, 'p99Ms')}`,
          ours,
          yws,
        );
      }),
    );
  },
  explain(medians) {
    if (!medians.has('ours')) return [];
    return rowsOf(medians, 'ours').map((row) => explainRow(medians, row));
  },
};

/** "0.91× y-ws (4.10 ms), 0.85× Hocuspocus (4.40 ms)" for the references that were measured. */
function ratios(medians: MedianTable, row: string, key: string): string {
  const ours = valueOf(medians, 'ours', row, key);
  return REFERENCES.filter(([name]) => medians.has(name))
    .map(([name, label]) => {
      const reference = valueOf(medians, name, row, key);
      return `${show(ours / reference, 2)}× ${label} (${show(reference, 2)} ms)`;
    })
    .join(', ');
}

function explainRow(medians: MedianTable, row: string): string {
  const ours = (key: string) => valueOf(medians, 'ours', row, key);
  const loopOf = (name: ServerName) =>
    `${show(valueOf(medians, name, row, 'loopDelayP99Ms'), 2)} ms (max ${show(valueOf(medians, name, row, 'loopDelayMaxMs'), 1)})`;
  const references = REFERENCES.filter(([name]) => medians.has(name));
  return (
    `${row}: p99 ${show(ours('p99Ms'), 2)} ms = ${ratios(medians, row, 'p99Ms')}; p50 ${show(ours('p50Ms'), 2)} ms = ${ratios(medians, row, 'p50Ms')}. ` +
    `Inside Boardcast an update took p50 ${show(ours('sentP50Ms'), 2)} / p99 ≈${show(ours('sentP99Ms'), 2)} ms from arrival to sent to every reader, ` +
    `of which up to its commit p99 ≈${show(ours('committedP99Ms'), 2)} ms (the SQLite commit itself: mean ${show(ours('commitMeanMs'), 3)}, p99 ≈${show(ours('commitP99Ms'), 2)} ms; ${checkpoints(ours('checkpoints'), ours('checkpointMeanMs'))}); ` +
    `the rest of the writer→reader time is outside the server's path (loopback, scheduling on a shared machine, the bench's own readers). ` +
    `Event-loop delay p99: Boardcast ${loopOf('ours')}${references.map(([name, label]) => `, ${label} ${loopOf(name)}`).join('')}; ` +
    `longest GC pause: Boardcast ${show(ours('gcMaxMs'), 2)} ms${references.map(([name, label]) => `, ${label} ${show(valueOf(medians, name, row, 'gcMaxMs'), 2)} ms`).join('')}.` +
    behindYws(medians, row)
  );
}

/** Where Boardcast's p99 is above y-ws's: how the gap compares with the commit and the noise. */
function behindYws(medians: MedianTable, row: string): string {
  if (!medians.has('yws')) return '';
  const ours = (key: string) => valueOf(medians, 'ours', row, key);
  const yws = (key: string) => valueOf(medians, 'yws', row, key);
  const gap99 = ours('p99Ms') - yws('p99Ms');
  if (!(gap99 > 0)) return '';
  const gap50 = ours('p50Ms') - yws('p50Ms');
  const noise = Math.min(ours('loopDelayP99Ms'), yws('loopDelayP99Ms'));
  const median =
    gap50 > 0
      ? ` Its p50 is ${show(gap50, 2)} ms above y-ws's: before relaying, Boardcast checks the update and commits it to SQLite (the commit's mean ${show(ours('commitMeanMs'), 3)} ms here), which the reference, holding updates in memory only, does not do.`
      : '';
  const jitter =
    gap99 < noise
      ? ` The p99 gap, ${show(gap99, 2)} ms, is smaller than either server's event-loop delay p99 (${show(noise, 2)} ms or more): a gap of that size comes from how the machine schedules both processes in the window more than from either server's own work.`
      : ` The p99 gap is ${show(gap99, 2)} ms.`;
  return median + jitter;
}

function checkpoints(count: number, meanMs: number): string {
  if (!Number.isFinite(count)) return 'WAL checkpoints not reported';
  if (count === 0) return 'no WAL checkpoint in the window';
  return `${show(count, 0)} WAL checkpoint${count === 1 ? '' : 's'} of ${show(meanMs, 1)} ms each, on their own thread`;
}
