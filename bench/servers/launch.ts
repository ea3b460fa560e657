/**
 * Starts one server under test as its own process (fork: IPC channel for the probe), waits
 * for its ready line, and reads its CPU and memory through the probe. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoomAddress } from '../clients/dialect.ts';
import type { LoopStats } from './probe.ts';
import { READY_PREFIX } from './ready.ts';
import type { ServerSpec } from './targets.ts';

const READY_TIMEOUT_MS = 30_000;
/** Long: an overloaded server answers the probe only after the socket work queued before it. */
const PROBE_TIMEOUT_MS = 60_000;
/** Results are in by the time a server is stopped, so it gets little time to exit cleanly. */
const STOP_TIMEOUT_MS = 1_000;
/**
 * Development: node flags for every server under test, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
 * or `--perf-basic-prof` (space-separated, from BENCH_SERVER_NODE_ARGS). A profiled server gets
 * PROFILED_STOP_TIMEOUT_MS to exit, so it can write its profile.
 */
const EXTRA_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PROFILED_STOP_TIMEOUT_MS = 10_000;
/** Lines of server output kept to explain a failure. */
const OUTPUT_LINES_KEPT = 40;
/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const PROC_TICKS_PER_SEC = 100;
const PROBE_PATH = fileURLToPath(new URL('./probe.ts', import.meta.url));

export interface ProbeSample {
  /** Wall clock of the bench when the answer arrived. */
  atMs: number;
  /** user + system CPU time of the server process, in ms. */
  cpuMs: number;
  /** The system (kernel) part of cpuMs: socket writes and reads, mostly. */
  systemCpuMs: number;
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

interface ProbeAnswer {
  kind: 'bench-probe';
  id: number;
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
}

interface LoopAnswer {
  kind: 'bench-loop';
  id: number;
  loop: LoopStats | null;
}

export type { LoopStats };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class RunningServer {
  private nextProbeId = 1;
  private readonly pending = new Map<number, (answer: ProbeAnswer | LoopAnswer) => void>();
  private readonly output: string[] = [];
  exitCode: number | null = null;
  /** Bytes the server wrote to stdout and stderr; a chatty server slows itself down. */
  outputBytes = 0;
  /** First lines of output, to show what a chatty server was saying. */
  readonly firstOutput: string[] = [];

  private constructor(
    readonly spec: ServerSpec,
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: unknown) => {
      const answer = message as ProbeAnswer | LoopAnswer;
      if (answer?.kind !== 'bench-probe' && answer?.kind !== 'bench-loop') return;
      this.pending.get(answer.id)?.(answer);
      this.pending.delete(answer.id);
    });
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
  }

  /** `extraEnv`: settings a scenario needs (each server ignores what it does not know). */
  static async start(
    spec: ServerSpec,
    extraEnv: Record<string, string> = {},
  ): Promise<RunningServer> {
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `boardcast-bench-${spec.name}-`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'production',
      ...spec.env,
      ...extraEnv,
    };
    delete env.NODE_OPTIONS;
    const child = fork(spec.entry, [String(port)], {
      execArgv: ['--expose-gc', ...EXTRA_NODE_ARGS, '--import', 'tsx', '--import', PROBE_PATH],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const server = new RunningServer(spec, port, dataDir, child);
    await server.waitReady();
    return server;
  }

  private waitReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        () => fail(`not ready within ${READY_TIMEOUT_MS} ms`),
        READY_TIMEOUT_MS,
      );
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.child.kill('SIGKILL');
        reject(new Error(`${this.spec.name}: ${why}\n${this.recentOutput()}`));
      };
      const ready = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      const keep = (chunk: Buffer) => {
        this.outputBytes += chunk.length;
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() === '') continue;
          this.output.push(line);
          if (this.firstOutput.length < 3) this.firstOutput.push(line.slice(0, 200));
          if (this.output.length > OUTPUT_LINES_KEPT) this.output.shift();
          if (line.startsWith(READY_PREFIX)) ready();
        }
      };
      this.child.stdout?.on('data', keep);
      this.child.stderr?.on('data', keep);
      this.child.once('exit', (code) => fail(`exited with ${code} before it was ready`));
    });
  }

  /** The server's process id (for /proc). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  recentOutput(): string {
    return this.output.join('\n');
  }

  address(room: string): RoomAddress {
    return { url: this.spec.roomUrl(this.port, room), dialect: this.spec.dialect, room };
  }

  get httpBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** CPU and memory of the server process; with `gc`, after a full collection. */
  sample(gc = false, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeSample> {
    const id = this.nextProbeId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.spec.name}: probe did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.kind !== 'bench-probe') return reject(new Error('probe answered out of turn'));
        resolve({
          atMs: performance.now(),
          cpuMs: (answer.cpu.user + answer.cpu.system) / 1000,
          systemCpuMs: answer.cpu.system / 1000,
          heapUsed: answer.memory.heapUsed,
          rss: answer.memory.rss,
          external: answer.memory.external,
          arrayBuffers: answer.memory.arrayBuffers,
        });
      });
      this.child.send({ kind: 'bench-probe', id, gc });
    });
  }

  /**
   * Starts watching the server's event loop (delay, utilisation, GC pauses: probe.ts), or stops
   * and returns what it saw since the start; null when the probe did not answer in time.
   */
  observeLoop(action: 'start' | 'stop', timeoutMs = PROBE_TIMEOUT_MS): Promise<LoopStats | null> {
    const id = this.nextProbeId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer.kind === 'bench-loop' ? answer.loop : null);
      });
      this.child.send({ kind: 'bench-loop', id, action });
    });
  }

  /**
   * The kernel's count of the server's CPU time (/proc/<pid>/stat utime + stime, and stime
   * apart), in ms with 10 ms resolution; null off Linux. It needs nothing from the server's event loop, so it
   * stays right when an overloaded server answers the probe seconds late.
   */
  procCpu(): { cpuMs: number; systemCpuMs: number } | null {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the command name start at field 3 (state); utime is 14, stime 15.
      const user = Number(fields[14 - 3]);
      const system = Number(fields[15 - 3]);
      if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
      const toMs = (ticks: number) => (ticks * 1000) / PROC_TICKS_PER_SEC;
      return { cpuMs: toMs(user + system), systemCpuMs: toMs(system) };
    } catch {
      return null;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited in time; removes its data directory. */
  async stop(): Promise<void> {
    if (this.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const stopTimeoutMs = EXTRA_NODE_ARGS.length > 0 ? PROFILED_STOP_TIMEOUT_MS : STOP_TIMEOUT_MS;
      const timer = setTimeout(() => this.child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
