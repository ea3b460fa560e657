/**
 * Preloaded (`--import`) into every benchmarked server. Answers IPC requests from the bench
 * with the server process's own CPU time and memory, after an optional full GC, so nothing is
 * estimated from outside. Start the server with --expose-gc for `gc` to work.
 *
 *   request  { kind: 'bench-probe', id, gc }          response  { kind: 'bench-probe', id, cpu, memory }
 *   request  { kind: 'bench-loop', id, action }       response  { kind: 'bench-loop', id, loop }
 *
 * `bench-loop` watches the event loop between a `start` and a `stop` (a scenario's window):
 * its delay (how late a timer every LOOP_RESOLUTION_MS fires: time the loop was busy, or the
 * process was not running, when something was due), its utilisation, and the GC pauses. Only
 * then, so the timer does not run in servers whose scenario does not ask for it.
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';

interface ProbeRequest {
  kind: 'bench-probe';
  id: number;
  gc: boolean;
}

interface LoopRequest {
  kind: 'bench-loop';
  id: number;
  action: 'start' | 'stop';
}

/** What the event loop did between `start` and `stop`; times in ms. */
export interface LoopStats {
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** Share of the time the loop was running JavaScript or native callbacks (0..1). */
  utilization: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

function isRequest<T extends { kind: string }>(message: unknown, kind: T['kind']): message is T {
  return typeof message === 'object' && message !== null && (message as T).kind === kind;
}

/** Two passes: the first can leave finalizable objects that only the second frees. */
const GC_PASSES = 2;
/**
 * The delay timer's period, as prom-client's default: short enough to see a few-ms stall, long
 * enough not to keep an idle server awake (which would change the latency it measures).
 */
const LOOP_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/** The loop watcher: created on the first `start`, paused on `stop`. */
function loopWatcher() {
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  });
  let elu = performance.eventLoopUtilization();
  // The histogram holds whole timer periods; the delay is what is beyond the period.
  const delayMs = (ns: number) => Math.max(0, ns / NS_PER_MS - LOOP_RESOLUTION_MS);
  return {
    start() {
      delay.reset();
      delay.enable();
      Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
      gcObserver.observe({ entryTypes: ['gc'] });
      elu = performance.eventLoopUtilization();
    },
    stop(): LoopStats {
      delay.disable();
      gcObserver.disconnect();
      const empty = delay.count === 0;
      return {
        delayP50Ms: empty ? Number.NaN : delayMs(delay.percentile(50)),
        delayP99Ms: empty ? Number.NaN : delayMs(delay.percentile(99)),
        delayMaxMs: empty ? Number.NaN : delayMs(delay.max),
        utilization: performance.eventLoopUtilization(elu).utilization,
        gcCount: gc.count,
        gcTotalMs: gc.totalMs,
        gcMaxMs: gc.maxMs,
      };
    },
  };
}

if (process.send) {
  let watcher: ReturnType<typeof loopWatcher> | null = null;
  process.on('message', (message: unknown) => {
    if (isRequest<LoopRequest>(message, 'bench-loop')) {
      watcher ??= loopWatcher();
      if (message.action === 'start') watcher.start();
      const loop = message.action === 'stop' ? watcher.stop() : null;
      process.send?.({ kind: 'bench-loop', id: message.id, loop });
      return;
    }
    if (!isRequest<ProbeRequest>(message, 'bench-probe')) return;
    const collect = (globalThis as { gc?: () => void }).gc;
    if (message.gc && collect) for (let pass = 0; pass < GC_PASSES; pass++) collect();
    process.send?.({
      kind: 'bench-probe',
      id: message.id,
      cpu: process.cpuUsage(),
      memory: process.memoryUsage(),
    });
  });
  // The IPC channel must not keep a server alive that wants to exit…
  process.channel?.unref();
  // …and a server whose bench is gone (Ctrl-C, crash, timeout) must not outlive it.
  process.on('disconnect', () => process.exit(0));
}
