/**
 * join storm: 150 clients join a board of about 4 MB at once (all connect in the same tick;
 * quick: 30). They are raw sinks (raw-sink.ts): the WebSocket spoken by hand, frames counted
 * as they stream in, never reassembled, so the one bench process can take 150 × 4 MB in
 * well under a second and what is timed is the server. The board is seeded over the wire (board-seed.ts) and stays loaded (its
 * seeder stays connected), so this is the cost of answering many joins at once, not of loading.
 * Time to synced is from a client's connect until its whole sync step 2 arrived, as in
 * cold-join. Memory is the server's peak RSS during the storm less its RSS just before: the
 * kernel's high-water mark (VmHWM, reset through /proc/<pid>/clear_refs before the storm) where
 * it can be reset, else the highest VmRSS polled every 10 ms.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { closeAll } from '../clients/lean-socket.ts';
import { RawSink } from '../clients/raw-sink.ts';
import type { RunningServer } from '../servers/launch.ts';
import { quantile } from '../stats.ts';
import { boardChunks, seedOverWire } from './board-seed.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { Mode, RunOutcome, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

/** 10,000 bench shapes encode to about 4 MB (≈ 400 bytes each: 17 fields and the entry). */
const shapesFor = (mode: Mode) => (mode === 'quick' ? 2_500 : 10_000);
const joinersFor = (mode: Mode) => (mode === 'quick' ? 30 : 150);
const MAX_SYNCED_MS = 1_000;
const MAX_RSS_MB = 200;
const SEED_TIMEOUT_MS = 30_000;
const RSS_POLL_MS = 10;
const MB = 1024 * 1024;

const ROW = 'join storm';

/** A /proc/<pid>/status field in bytes (kB in the file); NaN off Linux. */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resets the peak RSS (VmHWM) to the current RSS; false when the kernel does not let us. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Polls VmRSS until stopped; the highest value seen. */
function pollRss(pid: number): { stop(): number } {
  let peak = statusBytes(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, statusBytes(pid, 'VmRSS'));
  }, RSS_POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, statusBytes(pid, 'VmRSS'));
    },
  };
}

async function storm(server: RunningServer, room: string, joiners: number) {
  const pid = server.pid;
  const rssBefore = statusBytes(pid, 'VmRSS');
  const peakReset = resetPeak(pid);
  const poll = pollRss(pid);
  const start = await server.sample();
  const loadgenStart = process.cpuUsage();
  const settled = await Promise.allSettled(
    Array.from({ length: joiners }, async () => {
      const startedAt = performance.now();
      const sink = await RawSink.open(server.address(room), JOIN_TIMEOUT_MS);
      return { sink, joinMs: performance.now() - startedAt };
    }),
  );
  const loadgen = process.cpuUsage(loadgenStart);
  const end = await server.sample();
  const polledPeak = poll.stop();
  const hwm = peakReset ? statusBytes(pid, 'VmHWM') : Number.NaN;
  const joined = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  return {
    joined,
    failed: joiners - joined.length,
    cpuMs: end.cpuMs - start.cpuMs,
    wallMs: end.atMs - start.atMs,
    loadgenCpuMs: (loadgen.user + loadgen.system) / 1_000,
    rssPeakMb: (Math.max(polledPeak, Number.isNaN(hwm) ? 0 : hwm) - rssBefore) / MB,
    peakSource: peakReset ? 'VmHWM' : 'polled VmRSS',
  };
}

export const joinStormScenario: Scenario = {
  name: 'join-storm',
  title: 'Join storm: 150 clients join a 4 MB board at once',
  describe: (mode) =>
    `A board of ${shapesFor(mode).toLocaleString('en-US')} shapes (about ${mode === 'quick' ? '1 MB' : '4 MB'} encoded), seeded over the wire and kept loaded; ${joinersFor(mode)} lean clients${mode === 'quick' ? ' (quick mode; the full run has 150 clients and 10,000 shapes, 4 MB)' : ''} connect at once, each sending an empty sync step 1. Time to synced: connect → whole sync step 2 received. Memory: the server's peak RSS during the storm less its RSS just before.`,
  target: `max time to synced ≤ ${MAX_SYNCED_MS} ms; server memory +≤ ${MAX_RSS_MB} MB (y/hub: 6.6 s, 1.65 GB)`,
  oursOnly: false,
  fullRepetitions: 1,
  metrics: [
    { key: 'stateMb', label: 'board state, encoded (MB)', digits: 2 },
    { key: 'joiners', label: 'clients joined', digits: 0 },
    { key: 'syncedP50Ms', label: 'time to synced p50 (ms)', digits: 0, ratio: true },
    { key: 'syncedMaxMs', label: 'time to synced max (ms)', digits: 0, ratio: true },
    { key: 'rssPeakMb', label: 'server peak RSS increase (MB)', digits: 0, ratio: true },
    { key: 'cpuMs', label: 'server CPU over the storm (ms)', digits: 0, ratio: true },
    { key: 'cpuPerJoinMs', label: 'server CPU per join (ms)', digits: 2, ratio: true },
    { key: 'loadgenCpuMs', label: 'load generator CPU over the storm (ms)', digits: 0 },
    { key: 'sentMbPerS', label: 'state delivered (MB/s)', digits: 0, ratio: true },
  ],
  async run(context): Promise<RunOutcome> {
    const { server, mode } = context;
    const room = `storm-r${context.rep}`;
    const seeded = await seedOverWire(server, room, boardChunks(shapesFor(mode)), SEED_TIMEOUT_MS);
    let joined: { sink: RawSink; joinMs: number }[] = [];
    try {
      if (!seeded.ok)
        return { rows: [], notes: [`the board was not applied within ${SEED_TIMEOUT_MS} ms`] };
      const joiners = joinersFor(mode);
      const result = await storm(server, room, joiners);
      joined = result.joined;
      const synced = joined.map((join) => join.joinMs);
      const stateBytes = seeded.chunkBytes;
      const notes = [`peak RSS from ${result.peakSource}`];
      if (result.failed > 0)
        notes.push(
          `${result.failed} of ${joiners} joins failed (max time to synced counted as the join timeout)`,
        );
      return {
        rows: [
          {
            row: ROW,
            values: {
              stateMb: stateBytes / MB,
              joiners: joined.length,
              syncedP50Ms: quantile(synced, 0.5),
              syncedMaxMs: result.failed > 0 ? JOIN_TIMEOUT_MS : quantile(synced, 1),
              rssPeakMb: result.rssPeakMb,
              cpuMs: result.cpuMs,
              loadgenCpuMs: result.loadgenCpuMs,
              cpuPerJoinMs: result.cpuMs / Math.max(1, joined.length),
              sentMbPerS: (joined.length * stateBytes) / MB / (quantile(synced, 1) / 1_000),
            },
          },
        ],
        notes,
      };
    } finally {
      await closeAll(joined.map((join) => join.sink));
      await closeAll([seeded.writer, seeded.watcher.socket]);
    }
  },
  explain(medians) {
    const get = (server: 'ours' | 'yws' | 'hocuspocus', key: string) =>
      valueOf(medians, server, ROW, key);
    const joins = get('ours', 'joiners');
    const stateMb = get('ours', 'stateMb');
    if (!Number.isFinite(joins)) return [];
    const sentences = [
      `${show(joins, 0)} joins moved ${show(joins * stateMb, 0)} MB. Boardcast spent ${show(get('ours', 'cpuMs'), 0)} ms of CPU on them, ${show(get('ours', 'cpuPerJoinMs'), 2)} ms each: the upgrade, and handing its one cached sync step 2 frame (encoded once per change of the board) to the socket, which is the kernel copying ${show(stateMb, 1)} MB into it; no per-join copy, so memory stays flat. The bench's own CPU to take the bytes in: ${show(get('ours', 'loadgenCpuMs'), 0)} ms.`,
    ];
    const refCpu = get('yws', 'cpuPerJoinMs');
    if (Number.isFinite(refCpu))
      sentences.push(
        `@y/websocket-server encodes the whole state for each join (Y.encodeStateAsUpdate per sync step 1): ${show(refCpu, 1)} ms per join, so its joins queue behind one another on its one thread (max ${show(get('yws', 'syncedMaxMs'), 0)} ms).`,
      );
    return sentences;
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const max = valueOf(medians, 'ours', ROW, 'syncedMaxMs');
    const rss = valueOf(medians, 'ours', ROW, 'rssPeakMb');
    return allOf([
      check(max <= MAX_SYNCED_MS, `max time to synced ${show(max, 0)} ms`, max),
      check(rss <= MAX_RSS_MB, `memory +${show(rss, 0)} MB`, rss),
    ]);
  },
};
