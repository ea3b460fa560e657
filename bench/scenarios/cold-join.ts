/**
 * cold join: a board of 10,000 shapes (seeded by a full client that stays connected, so the
 * references keep it loaded), then single joins one at a time and 20 joins at once. A join is
 * a lean socket's empty sync step 1 answered by the whole state; CPU is the server's own,
 * less what it spends idle over the same time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { FullClient } from '../clients/full-client.ts';
import { ignoreFrames } from '../clients/lean-reader.ts';
import { LeanSocket, closeAll } from '../clients/lean-socket.ts';
import { benchShape } from '../clients/lean-writer.ts';
import { waitFor } from '../clients/ticker.ts';
import type { RunningServer } from '../servers/launch.ts';
import { quantile } from '../stats.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { Mode, RunOutcome, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const SHAPES = 10_000;
/** Shapes per seeding transaction, to stay well under every server's message size limit. */
const SEED_BATCH = 500;
const CONCURRENT_JOINS = 20;
const MAX_CPU_PER_JOIN_MS = 3;
const SEED_TIMEOUT_MS = 30_000;
/** After the joiner is synced, the server may still send its own step 1 and awareness. */
const AFTER_JOIN_MS = 30;
const singleJoins = (mode: Mode) => (mode === 'quick' ? 3 : 5);

/** CPU the server spends idle per ms of wall time (timers, pings), to subtract. */
export async function idleCpuPerMs(server: RunningServer): Promise<number> {
  const start = await server.sample();
  await sleep(200);
  const end = await server.sample();
  return Math.max(0, (end.cpuMs - start.cpuMs) / (end.atMs - start.atMs));
}

/** Runs `joins` at once; returns server CPU per join (idle subtracted) and each time to synced. */
export async function measureJoins(
  server: RunningServer,
  room: string,
  joins: number,
  idlePerMs: number,
) {
  const start = await server.sample();
  const joined = await Promise.all(
    Array.from({ length: joins }, () =>
      LeanSocket.open(server.address(room), ignoreFrames, JOIN_TIMEOUT_MS),
    ),
  );
  await sleep(AFTER_JOIN_MS);
  const end = await server.sample();
  await closeAll(joined.map((join) => join.socket));
  const cpuMs = end.cpuMs - start.cpuMs - idlePerMs * (end.atMs - start.atMs);
  return { cpuPerJoinMs: cpuMs / joins, syncedMs: joined.map((join) => join.joinMs) };
}

/** Single joins to a board that holds nothing (one anchor keeps it loaded). */
async function measureEmptyJoins(
  server: RunningServer,
  room: string,
  joins: number,
  idlePerMs: number,
) {
  const anchor = await LeanSocket.open(server.address(room), ignoreFrames, JOIN_TIMEOUT_MS);
  const runs = [];
  for (let join = 0; join < joins; join++)
    runs.push(await measureJoins(server, room, 1, idlePerMs));
  await anchor.socket.close();
  return {
    cpuPerJoinMs: quantile(
      runs.map((run) => run.cpuPerJoinMs),
      0.5,
    ),
    syncedP50Ms: quantile(
      runs.flatMap((run) => run.syncedMs),
      0.5,
    ),
  };
}

async function seedBoard(
  server: RunningServer,
  room: string,
): Promise<{ seeder: FullClient; ok: boolean; stateBytes: number }> {
  const seeder = await FullClient.open(server.address(room), JOIN_TIMEOUT_MS);
  for (let start = 0; start < SHAPES; start += SEED_BATCH) {
    const count = Math.min(SEED_BATCH, SHAPES - start);
    addShapes(
      seeder.doc,
      Array.from({ length: count }, (_, offset) =>
        benchShape(`s${start + offset}`, start + offset),
      ),
    );
  }
  const verifier = await FullClient.open(server.address(room), JOIN_TIMEOUT_MS);
  const ok = await waitFor(() => readShapes(verifier.doc).length === SHAPES, SEED_TIMEOUT_MS, 200);
  const stateBytes = Y.encodeStateAsUpdate(verifier.doc).byteLength;
  await verifier.close();
  return { seeder, ok, stateBytes };
}

const SINGLE = '1 join';
/** For scale: the fixed cost of a connection (upgrade, join, leave) with no state to send. */
const EMPTY = '1 join, empty board (for scale)';
const BURST = `${CONCURRENT_JOINS} joins at once`;

export const coldJoinScenario: Scenario = {
  name: 'cold-join',
  title: 'Cold join: a 10,000-shape board',
  describe: (mode) =>
    `A board of ${SHAPES.toLocaleString('en-US')} shapes; ${singleJoins(mode)} single joins one after another (median), then ${CONCURRENT_JOINS} joins at once. Time to synced is from connecting until the whole state (sync step 2) arrived.`,
  target: `≤ ${MAX_CPU_PER_JOIN_MS} ms server CPU per join`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'cpuPerJoinMs', label: 'server CPU per join (ms)', digits: 2, ratio: true },
    { key: 'syncedP50Ms', label: 'time to synced p50 (ms)', digits: 1, ratio: true },
    { key: 'syncedMaxMs', label: 'time to synced max (ms)', digits: 1, ratio: true },
    { key: 'stateMb', label: 'board state (MB)', digits: 2 },
    { key: 'seeded', label: 'board seeded and read back (1 = yes)', digits: 0 },
  ],
  async run(context): Promise<RunOutcome> {
    const { server } = context;
    const room = `cold-r${context.rep}`;
    const { seeder, ok, stateBytes } = await seedBoard(server, room);
    try {
      if (!ok)
        return {
          rows: [],
          notes: [`the ${SHAPES}-shape board did not read back within ${SEED_TIMEOUT_MS} ms`],
        };
      const idlePerMs = await idleCpuPerMs(server);
      const singles = [];
      for (let join = 0; join < singleJoins(context.mode); join++) {
        singles.push(await measureJoins(server, room, 1, idlePerMs));
        await sleep(100);
      }
      const burst = await measureJoins(server, room, CONCURRENT_JOINS, idlePerMs);
      const empty = await measureEmptyJoins(
        server,
        `${room}-empty`,
        singleJoins(context.mode),
        idlePerMs,
      );
      const singleSynced = singles.flatMap((single) => single.syncedMs);
      return {
        rows: [
          {
            row: SINGLE,
            values: {
              cpuPerJoinMs: quantile(
                singles.map((single) => single.cpuPerJoinMs),
                0.5,
              ),
              syncedP50Ms: quantile(singleSynced, 0.5),
              syncedMaxMs: quantile(singleSynced, 1),
              seeded: 1,
              stateMb: stateBytes / 1024 / 1024,
            },
          },
          {
            row: BURST,
            values: {
              cpuPerJoinMs: burst.cpuPerJoinMs,
              syncedP50Ms: quantile(burst.syncedMs, 0.5),
              syncedMaxMs: quantile(burst.syncedMs, 1),
            },
          },
          {
            row: EMPTY,
            values: { cpuPerJoinMs: empty.cpuPerJoinMs, syncedP50Ms: empty.syncedP50Ms },
          },
        ],
        notes: [],
      };
    } finally {
      await seeder.close();
    }
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    return allOf(
      [SINGLE, BURST].map((row) => {
        const cpu = valueOf(medians, 'ours', row, 'cpuPerJoinMs');
        return check(cpu <= MAX_CPU_PER_JOIN_MS, `${row}: ${show(cpu, 2)} ms`, cpu);
      }),
    );
  },
};
