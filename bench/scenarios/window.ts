/**
 * A measurement window. Reader statistics count between `openWindow` and `close`, on the
 * bench's clock. Server CPU over the same interval comes from the probe (µs precision) when
 * the server answers it promptly at both ends; a server so overloaded that the probe waits
 * behind its socket backlog is read from /proc instead (10 ms precision, same process
 * accounting), and the result says so.
 */
import { readFileSync } from 'node:fs';
import type { ReceiveStats } from '../clients/lean-reader.ts';
import type { LoopStats, ProbeSample, RunningServer } from '../servers/launch.ts';

/** A probe answer later than this no longer marks the window's edge. */
const PROMPT_PROBE_MS = 100;
/** How long to wait for a late probe before settling for /proc. */
const LATE_PROBE_WAIT_MS = 1_000;

/** Linux USER_HZ, the unit of /proc/stat. */
const PROC_TICKS_PER_SEC = 100;

/** CPU time, in ms, that the whole machine spent busy (all cores); null off Linux. */
function machineBusyMs(): number | null {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8')
        .split('\n', 1)[0]
        ?.trim()
        .split(/\s+/)
        .slice(1)
        .map(Number) ?? [];
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return ((total - idle) * 1000) / PROC_TICKS_PER_SEC;
  } catch {
    return null;
  }
}

export interface WindowResult {
  /** Length of the statistics window, for rates. */
  wallMs: number;
  serverCpuMs: number;
  /** The system (kernel) part of serverCpuMs: socket writes and reads, mostly. */
  serverSystemCpuMs: number;
  /** Server CPU time as a share of one core, in percent. */
  serverCpuPct: number;
  loadgenCpuPct: number;
  /**
   * CPU that the rest of the machine used meanwhile (all cores, beyond server and bench), in
   * percent of one core: high means other work competed and the numbers are noisier.
   */
  otherCpuPct: number;
  /** Set when CPU came from /proc because the probe answered late. */
  cpuNote: string | null;
  /** The server's event loop over the window (probe.ts); null unless asked for, or no answer. */
  loop: LoopStats | null;
}

export interface OpenWindow {
  close(): Promise<WindowResult>;
}

interface Edge {
  atMs: number;
  proc: { cpuMs: number; systemCpuMs: number } | null;
  machineBusyMs: number | null;
  /** null when the probe did not answer within LATE_PROBE_WAIT_MS. */
  probe: Promise<ProbeSample | null>;
}

function edge(server: RunningServer): Edge {
  const probe = server.sample(false, LATE_PROBE_WAIT_MS).catch(() => null);
  return {
    atMs: performance.now(),
    proc: server.procCpu(),
    machineBusyMs: machineBusyMs(),
    probe,
  };
}

/** `observeLoop`: also watch the server's event loop over the window (probe.ts). */
export function openWindow(
  server: RunningServer,
  stats: readonly ReceiveStats[],
  observeLoop = false,
): OpenWindow {
  const loopStarted = observeLoop ? server.observeLoop('start', LATE_PROBE_WAIT_MS) : null;
  const start = edge(server);
  const loadgenStart = process.cpuUsage();
  for (const stat of stats) {
    stat.reset();
    stat.measuring = true;
  }
  return {
    async close() {
      for (const stat of stats) stat.measuring = false;
      const end = edge(server);
      const loop = loopStarted
        ? await loopStarted.then(() => server.observeLoop('stop', LATE_PROBE_WAIT_MS))
        : null;
      const wallMs = end.atMs - start.atMs;
      const loadgen = process.cpuUsage(loadgenStart);
      const [first, last] = await Promise.all([start.probe, end.probe]);
      const lateMs =
        first && last ? Math.max(first.atMs - start.atMs, last.atMs - end.atMs) : Infinity;
      const prompt = first !== null && last !== null && lateMs <= PROMPT_PROBE_MS;
      if (!prompt && (start.proc === null || end.proc === null)) {
        throw new Error(
          `the server answered the CPU probe ${lateMs} ms late and /proc is not available`,
        );
      }
      const [from, to] = prompt ? [first, last] : [start.proc, end.proc];
      const serverCpuMs = (to?.cpuMs ?? 0) - (from?.cpuMs ?? 0);
      const serverSystemCpuMs = (to?.systemCpuMs ?? 0) - (from?.systemCpuMs ?? 0);
      const cpuWallMs = prompt ? last.atMs - first.atMs : wallMs;
      const loadgenCpuMs = (loadgen.user + loadgen.system) / 1000;
      const machineMs =
        start.machineBusyMs !== null && end.machineBusyMs !== null
          ? end.machineBusyMs - start.machineBusyMs
          : Number.NaN;
      return {
        wallMs,
        serverCpuMs,
        serverSystemCpuMs,
        serverCpuPct: (100 * serverCpuMs) / cpuWallMs,
        loadgenCpuPct: (100 * loadgenCpuMs) / wallMs,
        otherCpuPct: Math.max(0, (100 * (machineMs - serverCpuMs - loadgenCpuMs)) / wallMs),
        loop,
        cpuNote: prompt
          ? null
          : `CPU read from /proc: the server answered the probe ${Number.isFinite(lateMs) ? `${(lateMs / 1000).toFixed(1)} s late` : `not within ${LATE_PROBE_WAIT_MS / 1000} s`}`,
      };
    },
  };
}
