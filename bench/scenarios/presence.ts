/**
 * presence: 500 clients in one room each moving a cursor 10 times a second (issue 14, target 7).
 * 10 of them count the awareness frames they receive and read cursor latency; the rest never
 * look at what they receive. Without coalescing a server sends 500 × 10 × 500 = 2,500,000
 * frames/s here, which no server on 2 cores can, so the references fall behind and their
 * latency grows over the window; that is the finding.
 */
import { ReceiveStats } from '../clients/lean-reader.ts';
import { closeAll } from '../clients/lean-socket.ts';
import { PresenceClient } from '../clients/presence-client.ts';
import { JOIN_TIMEOUT_MS, OPEN_CONCURRENCY, loadTiming } from './modes.ts';
import type { MedianTable, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';
import { watchCounters } from './counters.ts';
import { driveLoad } from './drive-load.ts';

const CLIENTS = 500;
const OBSERVERS = 10;
const MOVE_HZ = 10;
const MAX_CPU_PCT = 50;
const MAX_P99_MS = 100;
const ROW = `${CLIENTS} cursors`;
/** Boardcast's own account of where presence time goes (server/metrics.ts). */
const COUNTERS = {
  intake: 'boardcast_presence_intake_seconds_total',
  encode: 'boardcast_presence_encode_seconds_total',
  send: 'boardcast_broadcast_seconds_total{kind="presence"}',
  bytesOut: 'boardcast_bytes_out_total',
} as const;

export const presenceScenario: Scenario = {
  name: 'presence',
  title: `Presence: ${CLIENTS} cursors at ${MOVE_HZ} Hz`,
  describe: () =>
    `1 room, ${CLIENTS} clients each sending its cursor (awareness) at ${MOVE_HZ} Hz, phases spread. ${OBSERVERS} of them count the frames they receive and measure cursor latency; the rest never look at what they receive, so the bench stays light.`,
  target: `server CPU ≤ ${MAX_CPU_PCT} % of a core; cursor p99 ≤ ${MAX_P99_MS} ms`,
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
    { key: 'systemCpuPct', label: 'of which in the kernel (%)', digits: 1, ratio: true },
    { key: 'intakePct', label: 'awareness intake: decode, check, apply (% of a core)', digits: 1 },
    { key: 'encodePct', label: 'encoding coalesced frames (% of a core)', digits: 1 },
    {
      key: 'sendPct',
      label: 'handing frames to sockets, writes included (% of a core)',
      digits: 1,
    },
    { key: 'sentMBps', label: 'bytes sent (MB/s)', digits: 1 },
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
      const watch = watchCounters(server, Object.values(COUNTERS));
      const drive = {
        server,
        stats: [observed],
        timing,
        actors: clients.length,
        hz: MOVE_HZ,
        hooks: watch.hooks,
      };
      const measured = await driveLoad(drive, (index) => clients[index]?.move());
      const seconds = measured.wallMs / 1000;
      const counters = watch.growth();
      const values = {
        framesPerClientSec: observed.awarenessFrames / OBSERVERS / seconds,
        cursorsPerClientSec: observed.deliveries / OBSERVERS / seconds,
        serverCpuPct: measured.serverCpuPct,
        systemCpuPct: (100 * measured.serverSystemCpuMs) / measured.wallMs,
        intakePct: (100 * (counters[COUNTERS.intake] ?? Number.NaN)) / seconds,
        encodePct: (100 * (counters[COUNTERS.encode] ?? Number.NaN)) / seconds,
        sendPct: (100 * (counters[COUNTERS.send] ?? Number.NaN)) / seconds,
        sentMBps: (counters[COUNTERS.bytesOut] ?? Number.NaN) / 1e6 / seconds,
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
    const cpu = valueOf(medians, 'ours', ROW, 'serverCpuPct');
    const p99 = valueOf(medians, 'ours', ROW, 'p99Ms');
    return allOf([
      check(cpu <= MAX_CPU_PCT, `CPU ${show(cpu, 1)} %`, cpu),
      check(p99 <= MAX_P99_MS, `p99 ${show(p99, 1)} ms`, p99),
    ]);
  },
  explain: explainPresence,
};

function explainPresence(medians: MedianTable): string[] {
  const value = (key: string) => valueOf(medians, 'ours', ROW, key);
  const cpu = value('serverCpuPct');
  if (!Number.isFinite(cpu)) return [];
  const parts = ['intakePct', 'encodePct', 'sendPct'].map(value);
  const [intake, encode, send] = parts as [number, number, number];
  const sentences = [
    `Boardcast used ${show(cpu, 1)} % of a core, ${show(value('systemCpuPct'), 1)} % of it in the kernel; it sent ${show(value('sentMBps'), 1)} MB/s of presence, ${show(value('framesPerClientSec'), 1)} coalesced frames per client per second.`,
  ];
  if (parts.every(Number.isFinite)) {
    sentences.push(
      `Taking in ${(CLIENTS * MOVE_HZ).toLocaleString('en-US')} awareness messages a second (decode, ownership check, size fit, apply) took ${show(intake, 1)} % of a core, encoding the coalesced frames ${show(encode, 1)} %, and handing them to ${CLIENTS} sockets ${show(send, 1)} % (the kernel's part of the writes included); the rest, ${show(Math.max(0, cpu - intake - encode - send), 1)} %, is reading the ${CLIENTS} sockets (WebSocket frames, rate buckets) and the event loop.`,
    );
  }
  return sentences;
}
