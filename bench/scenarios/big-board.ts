/**
 * big board: a board of 100,000 shapes (quick: 20,000) is seeded over the wire in chunks
 * (board-seed.ts), then loaded, joined and edited. Boardcast then unloads it (every client
 * leaves; ROOM_GRACE_MS is short here) so that the first join loads it from storage (SQLite),
 * the path a big board takes after a restart; the references keep documents in memory only
 * (a document with no connection is dropped), so their seeder stays connected and they have
 * no load to measure. Heap per board is the heap after a full GC with the board loaded, less
 * the heap without it, as a multiple of the board's encoded size (the sync step 2 a joiner
 * gets). Join CPU is the server's own over single joins of the loaded board (idle subtracted),
 * as in cold-join. Last, an edit made after the joins must reach a joined reader (converged).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { closeAll } from '../clients/lean-socket.ts';
import { LeanWriter } from '../clients/lean-writer.ts';
import { waitFor } from '../clients/ticker.ts';
import type { RunningServer } from '../servers/launch.ts';
import { metricTotal, readMetrics, type MetricSeries } from '../servers/prometheus.ts';
import { quantile } from '../stats.ts';
import { yjsItemCensus, type ItemCensus } from '../yjs-item-census.ts';
import { boardChunks, itemsPerShape, joinWatching, seedOverWire } from './board-seed.ts';
import { idleCpuPerMs, measureJoins } from './cold-join.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { Mode, RunOutcome, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const shapesFor = (mode: Mode) => (mode === 'quick' ? 10_000 : 100_000);
const WARM_JOINS = 2;
const MAX_HEAP_RATIO = 6;
const MAX_JOIN_CPU_MS = 30;
const SEED_TIMEOUT_MS = 90_000;
const UNLOAD_TIMEOUT_MS = 10_000;
const EDIT_TIMEOUT_MS = 10_000;
/** How long Boardcast keeps a board with no client loaded, here: the board is evicted at once. */
const GRACE_MS = 200;
const SETTLE_MS = 500;
const MB = 1024 * 1024;
const LOAD_PHASES = ['read', 'apply', 'trim', 'check'] as const;

const ROW = 'big board';
/** Shapes in the board the item census loads (its own process; the parts do not vary with size). */
const CENSUS_SHAPES = 20_000;
/** The census's parts (yjs-item-census.ts) as metrics: key, what it is. */
const CENSUS_PARTS: ReadonlyArray<readonly [keyof ItemCensus, string]> = [
  ['itemB', 'the Item object'],
  ['idB', 'its ID'],
  ['valueB', 'its value holder (ContentAny, array, number box)'],
  ['stringsB', 'key and value strings'],
  ['tablesB', "maps' hash tables and struct lists"],
  ['mapsB', "its share of the shape's Y.Map"],
  ['totalB', 'in all'],
];

/** Seconds Boardcast spent in each load phase, summed over loads (boardcast_board_load_seconds). */
function loadPhaseMs(series: MetricSeries): Record<string, number> {
  return Object.fromEntries(
    LOAD_PHASES.map((phase) => [
      phase,
      metricTotal(series, `boardcast_board_load_seconds_sum{phase="${phase}"}`) * 1_000,
    ]),
  );
}

async function waitUnloaded(server: RunningServer): Promise<boolean> {
  const deadline = performance.now() + UNLOAD_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const loaded = metricTotal(await readMetrics(server.httpBase), 'boardcast_boards_loaded');
    if (loaded === 0) return true;
    await sleep(100);
  }
  return false;
}

export const bigBoardScenario: Scenario = {
  name: 'big-board',
  title: 'Big board: 100,000 shapes',
  describe: (mode) =>
    `A board of ${shapesFor(mode).toLocaleString('en-US')} shapes${mode === 'quick' ? ' (quick mode; the full run has 100,000)' : ''}, seeded over the wire in updates of 5,000 shapes. Boardcast then unloads it (ROOM_GRACE_MS=${GRACE_MS}) and loads it from SQLite on the first join; the references only hold documents in memory (their seeder stays connected), so they have no load. Heap per board: heap after a full GC with the board loaded, less without it, ÷ the board's encoded size. Then ${WARM_JOINS} single joins of the loaded board (server CPU, idle subtracted), and an edit after them that must reach a joined reader.`,
  target: `heap per loaded board ≤ ${MAX_HEAP_RATIO}× its encoded size; ≤ ${MAX_JOIN_CPU_MS} ms server CPU per join; an edit after the join syncs (load time reported)`,
  oursOnly: false,
  fullRepetitions: 1,
  serverEnv: { ROOM_GRACE_MS: String(GRACE_MS) },
  metrics: [
    { key: 'shapes', label: 'shapes', digits: 0 },
    { key: 'stateMb', label: 'board state, encoded (MB)', digits: 1 },
    { key: 'seedS', label: 'seeding over the wire (s)', digits: 1, ratio: true },
    { key: 'loadMs', label: 'load from storage (ms)', digits: 0 },
    { key: 'loadReadMs', label: '… read the log from SQLite (ms)', digits: 0 },
    { key: 'loadApplyMs', label: '… apply it to a Y.Doc (ms)', digits: 0 },
    { key: 'loadTrimMs', label: '… make its item arrays exact-size (ms)', digits: 0 },
    { key: 'loadCheckMs', label: '… check every shape (repairs) (ms)', digits: 0 },
    { key: 'firstJoinMs', label: 'first join: time to synced (ms)', digits: 0, ratio: true },
    { key: 'firstJoinCpuMs', label: 'first join: server CPU (ms)', digits: 0, ratio: true },
    { key: 'heapMb', label: 'heap per loaded board (MB)', digits: 0, ratio: true },
    { key: 'heapRatio', label: 'heap ÷ encoded size', digits: 2, ratio: true },
    { key: 'bufferMb', label: 'buffers per loaded board (MB)', digits: 1, ratio: true },
    { key: 'heapPerItemB', label: 'heap per Yjs item (bytes)', digits: 0, ratio: true },
    ...CENSUS_PARTS.map(([key, part]) => ({
      key,
      label: `… census of a loaded item: ${part} (bytes)`,
      digits: 0,
    })),
    {
      key: 'joinCpuMs',
      label: 'join of the loaded board: server CPU (ms)',
      digits: 1,
      ratio: true,
    },
    {
      key: 'joinSyncedMs',
      label: 'join of the loaded board: time to synced (ms)',
      digits: 0,
      ratio: true,
    },
    { key: 'editMs', label: 'edit after the joins → joined reader (ms)', digits: 0, ratio: true },
    { key: 'converged', label: 'converged (1 = yes)', digits: 0 },
  ],
  async run(context): Promise<RunOutcome> {
    const { server, mode } = context;
    const ours = server.spec.name === 'ours';
    const room = `big-r${context.rep}`;
    const shapes = shapesFor(mode);
    const chunks = boardChunks(shapes);
    // The references' heap without the board: before seeding (Boardcast's: once it unloaded).
    const empty = ours ? null : await server.sample(true);
    const seeded = await seedOverWire(server, room, chunks, SEED_TIMEOUT_MS);
    const open: { close(): Promise<void> }[] = [seeded.writer, seeded.watcher.socket];
    const values: Record<string, number> = { shapes };
    const notes: string[] = [];
    try {
      if (!seeded.ok)
        return { rows: [], notes: [`the board was not applied within ${SEED_TIMEOUT_MS} ms`] };
      values.seedS = seeded.seedMs / 1_000;
      context.log(`seeded ${shapes} shapes in ${(seeded.seedMs / 1000).toFixed(1)} s`);
      let base = empty;
      let before: MetricSeries | null = null;
      if (!base) {
        await closeAll(open.splice(0));
        if (!(await waitUnloaded(server)))
          return { rows: [], notes: ['the board did not unload after its clients left'] };
        base = await server.sample(true);
        before = await readMetrics(server.httpBase);
      }
      // The first join: Boardcast loads the board from storage for it.
      const start = await server.sample();
      const first = await joinWatching(server, room);
      open.push(first.joined.socket);
      const end = await server.sample();
      values.firstJoinMs = first.joined.joinMs;
      values.firstJoinCpuMs = end.cpuMs - start.cpuMs;
      if (before) {
        const phases = loadPhaseMs(await readMetrics(server.httpBase));
        const earlier = loadPhaseMs(before);
        values.loadReadMs = (phases.read ?? 0) - (earlier.read ?? 0);
        values.loadApplyMs = (phases.apply ?? 0) - (earlier.apply ?? 0);
        values.loadTrimMs = (phases.trim ?? 0) - (earlier.trim ?? 0);
        values.loadCheckMs = (phases.check ?? 0) - (earlier.check ?? 0);
        values.loadMs =
          values.loadReadMs + values.loadApplyMs + values.loadTrimMs + values.loadCheckMs;
      }
      const loaded = await server.sample(true);
      const stateBytes = first.watch.step2Bytes;
      values.stateMb = stateBytes / MB;
      values.heapMb = (loaded.heapUsed - base.heapUsed) / MB;
      values.heapRatio = (loaded.heapUsed - base.heapUsed) / stateBytes;
      values.bufferMb = (loaded.arrayBuffers - base.arrayBuffers) / MB;
      values.heapPerItemB = (loaded.heapUsed - base.heapUsed) / (shapes * itemsPerShape());

      // The collection just forced goes on sweeping in V8's threads for a while: let it end,
      // or it would count as idle CPU and be subtracted from the joins.
      await sleep(SETTLE_MS);
      const idlePerMs = await idleCpuPerMs(server);
      const joins = [];
      for (let join = 0; join < WARM_JOINS; join++) {
        joins.push(await measureJoins(server, room, 1, idlePerMs));
        await sleep(50);
      }
      values.joinCpuMs = quantile(
        joins.map((join) => join.cpuPerJoinMs),
        0.5,
      );
      values.joinSyncedMs = quantile(
        joins.flatMap((join) => join.syncedMs),
        0.5,
      );

      // An edit after the joins (Boardcast: by a new writer, its seeder left) reaches the joiner.
      const writer = ours
        ? await LeanWriter.open(server.address(room), 'after-join', 1, JOIN_TIMEOUT_MS)
        : seeded.writer;
      if (ours) open.push(writer);
      const seenBefore = first.watch.seen;
      const editedAt = performance.now();
      writer.edit();
      const converged = await waitFor(() => first.watch.seen > seenBefore, EDIT_TIMEOUT_MS, 5);
      values.converged = converged ? 1 : 0;
      if (converged) values.editMs = performance.now() - editedAt;
      else
        notes.push(
          `the edit after the joins did not reach the joined reader in ${EDIT_TIMEOUT_MS} ms`,
        );
      if (ours) {
        // Once, beside Boardcast's run: what any server's loaded item is made of.
        const census = await yjsItemCensus(CENSUS_SHAPES);
        for (const [key] of CENSUS_PARTS) values[key] = census[key];
      }
      return { rows: [{ row: ROW, values }], notes };
    } finally {
      await closeAll(open);
    }
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const ratio = valueOf(medians, 'ours', ROW, 'heapRatio');
    const cpu = valueOf(medians, 'ours', ROW, 'joinCpuMs');
    const converged = valueOf(medians, 'ours', ROW, 'converged');
    const load = valueOf(medians, 'ours', ROW, 'loadMs');
    return allOf([
      check(ratio <= MAX_HEAP_RATIO, `heap ${show(ratio, 2)}× encoded size`, ratio),
      check(cpu <= MAX_JOIN_CPU_MS, `join CPU ${show(cpu, 1)} ms`, cpu),
      check(
        converged === 1,
        `edit after the join ${converged === 1 ? 'synced' : 'did not sync'}`,
        converged,
      ),
      {
        ok: Number.isFinite(load) ? true : null,
        text: `loaded from storage in ${show(load, 0)} ms`,
      },
    ]);
  },
  explain(medians) {
    const get = (key: string) => valueOf(medians, 'ours', ROW, key);
    const sentences: string[] = [];
    const load = get('loadMs');
    if (Number.isFinite(load))
      sentences.push(
        `Boardcast's load of ${show(get('stateMb'), 1)} MB took ${show(load, 0)} ms: reading the log from SQLite ${show(get('loadReadMs'), 0)} ms, applying it to a Y.Doc ${show(get('loadApplyMs'), 0)} ms (Yjs decoding and integrating the items; a CPU profile of it shows over half in V8's garbage collector), making the items' value arrays exact-size ${show(get('loadTrimMs'), 0)} ms, checking every shape for repairs ${show(get('loadCheckMs'), 0)} ms; the first join also encodes the whole state once (cached for later joins) and sends it: ${show(get('firstJoinCpuMs'), 0)} ms of server CPU in all.`,
      );
    const perItem = get('heapPerItemB');
    const encodedPerItem = (get('stateMb') * MB) / (get('shapes') * itemsPerShape());
    if (Number.isFinite(perItem))
      sentences.push(
        `A bench shape is ${itemsPerShape()} Yjs items (its entry and one per field); loaded, each item takes ${show(perItem, 0)} bytes of heap against ${show(encodedPerItem, 0)} bytes encoded, which is what sets the heap ratio of every server that holds the board as a Y.Doc (Boardcast trims the value arrays at load; the references keep V8's room for 17 values in each).`,
      );
    const census = get('totalB');
    if (Number.isFinite(census)) {
      const parts = CENSUS_PARTS.filter(([key]) => key !== 'totalB')
        .map(([key, part]) => `${part} ${show(get(key), 0)}`)
        .join(', ');
      const allowed = MAX_HEAP_RATIO * encodedPerItem;
      sentences.push(
        `A heap snapshot of a ${CENSUS_SHAPES.toLocaleString('en-US')}-shape board loaded as Boardcast loads it says what an item is made of: ${parts} bytes, ${show(census, 0)} in all. ${MAX_HEAP_RATIO}× the encoded size allows ${show(allowed, 0)} bytes per item, less than Yjs's Item object and its ID alone (${show(get('itemB') + get('idB'), 0)}): the target needs a board held in another form than a Y.Doc, not a leaner Y.Doc.`,
      );
    }
    return sentences;
  },
};
