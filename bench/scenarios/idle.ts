/**
 * idle: 5,000 connections that joined and then do nothing; server heap and RSS per connection.
 * One connection per room stays open through the baseline, so every room is already loaded
 * there and the difference is the connections' own cost.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { heapBytesByClass } from '../heap-census.ts';
import type { RunningServer } from '../servers/launch.ts';
import { ignoreFrames } from '../clients/lean-reader.ts';
import { LeanSocket, closeAll, openMany } from '../clients/lean-socket.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';
import type { MedianTable, Mode, Scenario } from './types.ts';
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

/**
 * Classes whose objects every connection has, by who makes them; their bytes per connection are
 * read from a heap snapshot taken after the sample (first repetition only: it takes seconds).
 */
const CENSUS = {
  /** Node's net.Socket, its TCP handle and the stream states (the socket's and ws's Receiver's). */
  socketBytes: ['Socket', 'TCP', 'WritableState', 'ReadableState'],
  /** The ws library, the same version under all three servers. */
  wsBytes: ['WebSocket', 'Receiver', 'Sender'],
  /** Boardcast's own per-connection objects (server/room/peer-session.ts and what it holds). */
  sessionBytes: ['PeerSession', 'FrameThrottle', 'TokenBucket', 'WsTransport', 'ConnectionToken'],
} as const;

/** Bytes per connection of each CENSUS group, from a snapshot with `connections` open. */
async function census(server: RunningServer, connections: number): Promise<Record<string, number>> {
  const file = path.join(
    os.tmpdir(),
    `boardcast-bench-idle-${process.pid}-${Date.now()}.heapsnapshot`,
  );
  try {
    await server.heapSnapshot(file);
    const bytes = await heapBytesByClass(file, Object.values(CENSUS).flat());
    return Object.fromEntries(
      Object.entries(CENSUS).map(([group, classes]) => [
        group,
        classes.reduce((sum, name) => sum + (bytes.get(name) ?? 0), 0) / connections,
      ]),
    );
  } finally {
    await rm(file, { force: true });
  }
}

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
    // Every connection open now, the anchors too, has these objects.
    const parts = context.rep === 0 ? await census(server, count + ROOMS) : {};
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
            ...parts,
          },
        },
      ],
      notes:
        open < count
          ? [`${count - open} connections were closed by the server before the sample`]
          : [],
    };
  },
  explain: explainIdle,
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

function explainIdle(medians: MedianTable): string[] {
  const lines: string[] = [];
  const kb = (bytes: number) => show(bytes / 1024, 2);
  for (const server of ['ours', 'yws', 'hocuspocus'] as const) {
    if (!medians.has(server)) continue;
    const value = (key: string) => valueOf(medians, server, ROW, key);
    const heapBytes = value('heapKb') * 1024;
    const socket = value('socketBytes');
    const ws = value('wsBytes');
    if (!Number.isFinite(socket)) continue;
    const own = server === 'ours' ? value('sessionBytes') : 0;
    const rest = heapBytes - socket - ws - own;
    const name = { ours: 'Boardcast', yws: '@y/websocket-server', hocuspocus: 'Hocuspocus' }[
      server
    ];
    lines.push(
      `${name}: ${kb(heapBytes)} KB of heap per idle connection = Node's socket, TCP handle and stream states ${kb(socket)} KB + the ws library's WebSocket, Receiver and Sender ${kb(ws)} KB` +
        (server === 'ours'
          ? ` + Boardcast's session objects (PeerSession, its FrameThrottle with the one rate bucket a joiner has used, WsTransport) ${kb(own)} KB`
          : '') +
        ` + ${kb(rest)} KB of closures, contexts, listener tables, arrays and strings that all of these leave per socket (objects' own sizes in a heap snapshot of the first run).`,
    );
  }
  if (medians.has('ours')) {
    const rssOverHeap =
      valueOf(medians, 'ours', ROW, 'rssKb') - valueOf(medians, 'ours', ROW, 'heapKb');
    lines.push(
      `RSS counts what Node keeps outside the JS heap per socket (the libuv handle and TCP wrap) and heap pages not yet filled: Boardcast's RSS per connection is ${show(rssOverHeap, 2)} KB above its heap. Nothing per connection is made before it is needed: no rate bucket before a frame of its kind, no wait queue before a frame has to wait, no logger, one heartbeat timer and pong listener for all sockets.`,
    );
  }
  return lines;
}
