/**
 * Relay latency across instances versus on one instance: `npx tsx bench/scale-out.ts`.
 *
 * Bounded and loopback only. Needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379;
 * uses a fresh database (dropped at the end) and a random channel prefix. Each scenario runs
 * server processes, one writer and READERS stock y-websocket clients; the writer adds one shape
 * every INTERVAL_MS, and every reader records when each shape arrives. Prints a Markdown table
 * of the write-to-receive latency (p50, p99, max) over all readers.
 */
import { performance } from 'node:perf_hooks';
import { addShapes, getShapesMap } from '../common/board/board-doc.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../test/helpers/clients.ts';
import {
  REDIS_URL,
  createTestDatabase,
  randomChannelPrefix,
  servicesUnavailable,
} from '../test/helpers/services.ts';
import { rect } from '../test/helpers/shapes.ts';
import {
  spawnServerProcess,
  tempDataDir,
  type ServerProcess,
} from '../test/helpers/test-server.ts';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 500);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 10);
const READERS = Number(process.env.BENCH_READERS ?? 10);
const WARMUP = 20;

interface Scenario {
  name: string;
  /** Environment for the server processes; null env means default mode (SQLite). */
  scaleOut: boolean;
  instances: number;
  /** Instance (0-based) of the writer and of each reader. */
  writerOn: number;
  readerOn(index: number): number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'one instance, SQLite (default mode)',
    scaleOut: false,
    instances: 1,
    writerOn: 0,
    readerOn: () => 0,
  },
  {
    name: 'one instance, PostgreSQL + Redis',
    scaleOut: true,
    instances: 1,
    writerOn: 0,
    readerOn: () => 0,
  },
  {
    name: 'two instances, readers on the other one',
    scaleOut: true,
    instances: 2,
    writerOn: 0,
    readerOn: () => 1,
  },
  {
    name: 'three instances, readers spread over all',
    scaleOut: true,
    instances: 3,
    writerOn: 0,
    readerOn: (i) => i % 3,
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(scenario: Scenario, env: Record<string, string>): Promise<number[]> {
  const servers: ServerProcess[] = [];
  const clients: StockClient[] = [];
  try {
    for (let i = 0; i < scenario.instances; i++)
      servers.push(
        await spawnServerProcess(tempDataDir(), scenario.scaleOut ? env : { LOG_LEVEL: 'error' }),
      );
    const board = `bench-${Date.now()}`;
    const at = (index: number) => servers[index] as ServerProcess;
    const writer = connectStockClient(at(scenario.writerOn).wsUrl, board);
    clients.push(writer);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    for (let r = 0; r < READERS; r++) {
      const reader = connectStockClient(at(scenario.readerOn(r)).wsUrl, board);
      clients.push(reader);
      getShapesMap(reader.doc).observe((event) => {
        const now = performance.now();
        for (const key of event.keysChanged) {
          const sent = sentAt.get(key);
          if (sent !== undefined && Number(key.slice(1)) >= WARMUP) latencies.push(now - sent);
        }
      });
    }
    await Promise.all(clients.map((client) => client.synced));
    for (let i = 0; i < UPDATES + WARMUP; i++) {
      const id = `m${i}`;
      sentAt.set(id, performance.now());
      addShapes(writer.doc, [rect(id, i, i)]);
      await delay(INTERVAL_MS);
    }
    await waitFor(
      () => latencies.length === UPDATES * READERS,
      20_000,
      'every reader to receive every update',
    );
    return latencies.sort((a, b) => a - b);
  } finally {
    clients.forEach((client) => client.destroy());
    servers.forEach((server) => server.child.kill('SIGKILL'));
    await Promise.all(servers.map((server) => server.exited));
  }
}

async function main(): Promise<void> {
  const unavailable = await servicesUnavailable();
  if (unavailable) throw new Error(`bench/scale-out.ts needs PostgreSQL and Redis: ${unavailable}`);
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_CHANNEL_PREFIX: randomChannelPrefix(),
    LOG_LEVEL: 'error',
  };
  const rows: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const sorted = await run(scenario, env);
      const ms = (value: number) => value.toFixed(2);
      rows.push(
        `| ${scenario.name} | ${sorted.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted[sorted.length - 1] ?? NaN)} |`,
      );
      process.stderr.write(`done: ${scenario.name}\n`);
    }
  } finally {
    await database.drop();
  }
  console.log(
    `Relay latency, writer → ${READERS} readers, ${UPDATES} updates at ${Math.round(1000 / INTERVAL_MS)}/s (ms)\n`,
  );
  console.log('| scenario | samples | p50 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  rows.forEach((row) => console.log(row));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
