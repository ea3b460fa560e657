/**
 * idle: 5,000 connections that joined and then do nothing; server heap and RSS per connection.
 * One connection per room stays open through the baseline, so every room is already loaded
 * there and the difference is the connections' own cost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ignoreFrames } from '../clients/lean-reader.ts';
import { LeanSocket, closeAll, openMany } from '../clients/lean-socket.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { Mode, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const connectionCount = (mode: Mode) => (mode === 'quick' ? 1_000 : 5_000);
const ROOMS = 50;
const MAX_HEAP_KB = 4;
const MAX_RSS_KB = 10;
/** Handshakes in flight; higher only measures the accept queue. */
const IDLE_OPEN_CONCURRENCY = 100;
/** Lets timers and buffers of fresh connections settle before the sample. */
const SETTLE_MS = 500;
const ROW = 'idle connections';

export const idleScenario: Scenario = {
  name: 'idle',
  title: 'Idle connections',
  describe: (mode) =>
    `${connectionCount(mode).toLocaleString('en-US')} lean connections spread over ${ROOMS} rooms, joined and then silent; memory after a full GC, compared with the same rooms holding one connection each.`,
  target: `≤ ${MAX_HEAP_KB} KB heap and ≤ ${MAX_RSS_KB} KB RSS per connection`,
  oursOnly: false,
  fullRepetitions: 3,
  metrics: [
    { key: 'heapKb', label: 'heap per connection (KB)', digits: 2, ratio: true },
    { key: 'rssKb', label: 'RSS per connection (KB)', digits: 2, ratio: true },
    { key: 'externalKb', label: 'external per connection (KB)', digits: 2, ratio: true },
    { key: 'openSec', label: 'time to open all (s)', digits: 2, ratio: true },
  ],
  async run(context) {
    const count = connectionCount(context.mode);
    const { server } = context;
    const room = (index: number) => `idle-${index % ROOMS}-r${context.rep}`;
    const anchors = await openMany(ROOMS, ROOMS, (index) =>
      LeanSocket.open(server.address(room(index)), ignoreFrames, JOIN_TIMEOUT_MS),
    );
    await sleep(SETTLE_MS);
    const before = await server.sample(true);
    const openStarted = performance.now();
    const sockets = await openMany(count, IDLE_OPEN_CONCURRENCY, (index) =>
      LeanSocket.open(server.address(room(index)), ignoreFrames, JOIN_TIMEOUT_MS),
    );
    const openSec = (performance.now() - openStarted) / 1000;
    await sleep(SETTLE_MS);
    const after = await server.sample(true);
    const open = sockets.filter((joined) => joined.socket.isOpen).length;
    await closeAll([...sockets, ...anchors].map((joined) => joined.socket));
    const perConnectionKb = (bytes: number) => bytes / count / 1024;
    return {
      rows: [
        {
          row: ROW,
          values: {
            heapKb: perConnectionKb(after.heapUsed - before.heapUsed),
            rssKb: perConnectionKb(after.rss - before.rss),
            externalKb: perConnectionKb(after.external - before.external),
            openSec,
          },
        },
      ],
      notes:
        open < count
          ? [`${count - open} connections were closed by the server before the sample`]
          : [],
    };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const heap = valueOf(medians, 'ours', ROW, 'heapKb');
    const rss = valueOf(medians, 'ours', ROW, 'rssKb');
    return allOf([
      check(heap <= MAX_HEAP_KB, `heap ${show(heap, 2)} KB`, heap),
      check(rss <= MAX_RSS_KB, `RSS ${show(rss, 2)} KB`, rss),
    ]);
  },
};
