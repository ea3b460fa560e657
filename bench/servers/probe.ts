/**
 * Preloaded (`--import`) into every benchmarked server. Answers IPC requests from the bench
 * with the server process's own CPU time and memory, after an optional full GC, so nothing is
 * estimated from outside. Start the server with --expose-gc for `gc` to work.
 *
 *   request  { kind: 'bench-probe', id, gc }   response  { kind: 'bench-probe', id, cpu, memory }
 *
 * With `snapshot` (a file path), a heap snapshot is written there first (after the GC): the
 * bench reads what the heap is made of from it (bench/heap-census.ts).
 */
import v8 from 'node:v8';

interface ProbeRequest {
  kind: 'bench-probe';
  id: number;
  gc: boolean;
  snapshot?: string;
}

function isProbeRequest(message: unknown): message is ProbeRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as ProbeRequest).kind === 'bench-probe'
  );
}

/** Two passes: the first can leave finalizable objects that only the second frees. */
const GC_PASSES = 2;

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isProbeRequest(message)) return;
    const collect = (globalThis as { gc?: () => void }).gc;
    if (message.gc && collect) for (let pass = 0; pass < GC_PASSES; pass++) collect();
    if (message.snapshot) v8.writeHeapSnapshot(message.snapshot);
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
