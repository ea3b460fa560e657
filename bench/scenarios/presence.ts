/**
 * presence: 200 clients in one room each moving a cursor at 20 Hz. Every client counts the
 * awareness frames it receives; 10 of them also read cursor latency. Without coalescing a
 * server sends 200 × 20 × 200 = 800,000 frames/s here, which no server on 2 cores can, so
 * the references fall behind and their latency grows over the window; that is the finding.
 */
import { ReceiveStats } from '../clients/lean-reader.ts';
import { closeAll } from '../clients/lean-socket.ts';
import { PresenceClient } from '../clients/presence-client.ts';
import { JOIN_TIMEOUT_MS, OPEN_CONCURRENCY, loadTiming } from './modes.ts';
import type { Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';
import { driveLoad } from './drive-load.ts';

const CLIENTS = 200;
const OBSERVERS = 10;
const MOVE_HZ = 20;
/** "Coalesced per tick": at most one awareness frame per client per 60 Hz frame. */
const MAX_FRAMES_PER_CLIENT_PER_SEC = 60;
const MAX_CPU_PCT = 25;
const MAX_P99_MS = 60;
const ROW = `${CLIENTS} cursors`;

export const presenceScenario: Scenario = {
  name: 'presence',
  title: 'Presence: 200 cursors at 20 Hz',
  describe: () =>
    `1 room, ${CLIENTS} clients each sending its cursor (awareness) at ${MOVE_HZ} Hz, phases spread. ${OBSERVERS} of them count the frames they receive and measure cursor latency; the rest never look at what they receive, so the bench stays light.`,
  target: `coalesced (≤ ${MAX_FRAMES_PER_CLIENT_PER_SEC} awareness frames per client per second, against ${(CLIENTS * MOVE_HZ).toLocaleString('en-US')} uncoalesced); server CPU ≤ ${MAX_CPU_PCT} %; cursor p99 ≤ ${MAX_P99_MS} ms`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    {
      key: 'framesPerClientSec',
      label: 'awareness frames per client per s',
      digits: 1,
      ratio: true,
    },
    {
      key: 'cursorsPerClientSec',
      label: 'cursor updates delivered per client per s',
      digits: 0,
      ratio: true,
    },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1, ratio: true },
    { key: 'p50Ms', label: 'cursor p50 latency (ms)', digits: 1, ratio: true },
    { key: 'p99Ms', label: 'cursor p99 latency (ms)', digits: 1, ratio: true },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
    { key: 'otherCpuPct', label: 'other processes CPU (% of a core)', digits: 0 },
  ],
  async run(context) {
    const { server } = context;
    const address = server.address(`presence-r${context.rep}`);
    const epochMs = performance.now();
    const observed = new ReceiveStats();
    const open = (index: number) =>
      index < OBSERVERS
        ? PresenceClient.observer(address, index, observed, epochMs, JOIN_TIMEOUT_MS)
        : PresenceClient.mover(address, index, epochMs, JOIN_TIMEOUT_MS);
    const clients: PresenceClient[] = [];
    try {
      for (let start = 0; start < CLIENTS; start += OPEN_CONCURRENCY) {
        const count = Math.min(OPEN_CONCURRENCY, CLIENTS - start);
        clients.push(
          ...(await Promise.all(
            Array.from({ length: count }, (_, offset) => open(start + offset)),
          )),
        );
      }
      const timing = loadTiming(context.mode);
      const drive = { server, stats: [observed], timing, actors: clients.length, hz: MOVE_HZ };
      const measured = await driveLoad(drive, (index) => clients[index]?.move());
      const seconds = measured.wallMs / 1000;
      const values = {
        framesPerClientSec: observed.awarenessFrames / OBSERVERS / seconds,
        cursorsPerClientSec: observed.deliveries / OBSERVERS / seconds,
        serverCpuPct: measured.serverCpuPct,
        p50Ms: observed.latency.quantile(0.5),
        p99Ms: observed.latency.quantile(0.99),
        loadgenCpuPct: measured.loadgenCpuPct,
        otherCpuPct: measured.otherCpuPct,
      };
      return { rows: [{ row: ROW, values }], notes: measured.cpuNote ? [measured.cpuNote] : [] };
    } finally {
      await closeAll(clients);
    }
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const frames = valueOf(medians, 'ours', ROW, 'framesPerClientSec');
    const cpu = valueOf(medians, 'ours', ROW, 'serverCpuPct');
    const p99 = valueOf(medians, 'ours', ROW, 'p99Ms');
    return allOf([
      check(
        frames <= MAX_FRAMES_PER_CLIENT_PER_SEC,
        `${show(frames, 1)} frames per client per s`,
        frames,
      ),
      check(cpu <= MAX_CPU_PCT, `CPU ${show(cpu, 1)} %`, cpu),
      check(p99 <= MAX_P99_MS, `p99 ${show(p99, 1)} ms`, p99),
    ]);
  },
};
