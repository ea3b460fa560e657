/**
 * http-session (Boardcast only): the editor over plain HTTP against the editor over WebSocket,
 * in the same run on the same server. One writer edits one shape at 60 Hz (its `x` carries the
 * send time), a few readers on the same transport observe it; edit→peer latency, server CPU per
 * editor and, over HTTP, requests per second per editor. Clients are the stock y-websocket
 * provider, over `ws` or over the editor's own HttpSessionSocket (SSE down, POST up).
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { httpSessionSocketClass } from '../../client/editor/http-session-socket.ts';
import type { HttpSessionSocket } from '../../client/editor/http-session-socket.ts';
import { addShapes, getShapesMap, readShape, updateShapes } from '../../common/board/board-doc.ts';
import { bareFetchPost } from '../clients/bare-post.ts';
import { ReceiveStats } from '../clients/lean-reader.ts';
import { waitFor } from '../clients/ticker.ts';
import { driveLoad } from './drive-load.ts';
import { JOIN_TIMEOUT_MS, loadTiming } from './modes.ts';
import type { Mode, RowResult, Scenario } from './types.ts';
import { NOT_MEASURED, allOf, check, show, valueOf } from './verdicts.ts';

const WRITE_HZ = 60;
const readerCount = (mode: Mode) => (mode === 'quick' ? 3 : 9);
type Transport = 'websocket' | 'http';
const ROW: Record<Transport, string> = {
  websocket: 'WebSocket editors',
  http: 'HTTP-session editors (SSE down)',
};
const BARE_ROW = "the load generator's fetch alone (POST to a minimal Node server)";
const BARE_POSTS = 200;
/** The goal: over HTTP, p99 within 2x of WebSocket. */
const MAX_RATIO = 2;

interface Editor {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

function openEditor(wsBase: string, board: string, transport: Transport): Editor {
  const doc = new Y.Doc();
  const polyfill = transport === 'websocket' ? WebSocket : httpSessionSocketClass({ params: {} });
  const provider = new WebsocketProvider(wsBase, board, doc, {
    WebSocketPolyfill: polyfill as unknown as typeof globalThis.WebSocket, // API-compatible
    disableBc: true,
  });
  return { doc, provider };
}

async function measure(
  context: Parameters<Scenario['run']>[0],
  transport: Transport,
): Promise<{ row: RowResult; note: string | null }> {
  const { server } = context;
  const board = `http-session-${transport}-r${context.rep}`;
  const wsBase = `${server.httpBase.replace('http:', 'ws:')}/ws`;
  const readers = readerCount(context.mode);
  const editors = Array.from({ length: readers + 1 }, () => openEditor(wsBase, board, transport));
  const [writer] = editors as [Editor, ...Editor[]];
  const stats = new ReceiveStats();
  try {
    const synced = await waitFor(
      () => editors.every((editor) => editor.provider.synced),
      JOIN_TIMEOUT_MS,
    );
    if (!synced) throw new Error(`${transport} editors did not sync`);
    addShapes(writer.doc, [
      { id: 'marker', type: 'rect', x: 0, y: 0, width: 10, height: 10, z: 0 } as never,
    ]);
    for (const reader of editors.slice(1)) {
      getShapesMap(reader.doc).observeDeep(() => {
        const x = readShape(reader.doc, 'marker')?.x;
        if (!stats.measuring || x === undefined || x <= 0) return;
        stats.deliveries += 1;
        stats.latency.add(performance.now() - x);
      });
    }
    const socket = () => writer.provider.ws as unknown as HttpSessionSocket | null; // our polyfill, typed as a WebSocket
    const requestsBefore = socket()?.requests ?? 0;
    const measured = await driveLoad(
      { server, stats: [stats], timing: loadTiming(context.mode), actors: 1, hz: WRITE_HZ },
      () => updateShapes(writer.doc, new Map([['marker', { x: performance.now() }]])),
    );
    const windowS = (loadTiming(context.mode).warmupMs + loadTiming(context.mode).windowMs) / 1000;
    const requestsPerSec =
      transport === 'http' ? ((socket()?.requests ?? 0) - requestsBefore) / windowS : 0;
    return {
      row: {
        row: ROW[transport],
        values: {
          p50Ms: stats.latency.quantile(0.5),
          p99Ms: stats.latency.quantile(0.99),
          serverCpuPct: measured.serverCpuPct,
          cpuPerEditorPct: measured.serverCpuPct / editors.length,
          writerRequestsPerSec: requestsPerSec,
          loadgenCpuPct: measured.loadgenCpuPct,
        },
      },
      note: measured.cpuNote ? `${transport}: ${measured.cpuNote}` : null,
    };
  } finally {
    for (const editor of editors) {
      editor.provider.destroy();
      editor.doc.destroy();
    }
  }
}

export const httpSessionScenario: Scenario = {
  name: 'http-session',
  title: 'Editors over HTTP vs WebSocket',
  describe: (mode) =>
    `Two boards in one run: 1 writer at ${WRITE_HZ} Hz and ${readerCount(mode)} readers, all over WebSocket on one, all over HTTP sessions (POST up, SSE down) on the other; stock y-websocket providers.`,
  target: `p99 edit→peer over HTTP ≤ ${MAX_RATIO}× WebSocket`,
  oursOnly: true,
  fullRepetitions: 3,
  metrics: [
    { key: 'p50Ms', label: 'p50 edit→peer (ms)', digits: 2 },
    { key: 'p99Ms', label: 'p99 edit→peer (ms)', digits: 2 },
    { key: 'serverCpuPct', label: 'server CPU (% of a core)', digits: 1 },
    { key: 'cpuPerEditorPct', label: 'server CPU per editor (% of a core)', digits: 2 },
    { key: 'writerRequestsPerSec', label: 'HTTP requests/s of the writer', digits: 1 },
    { key: 'loadgenCpuPct', label: 'load generator CPU (%)', digits: 1 },
  ],
  async run(context) {
    const rows: RowResult[] = [];
    const notes: string[] = [];
    for (const transport of ['websocket', 'http'] as const) {
      const { row, note } = await measure(context, transport);
      rows.push(row);
      if (note) notes.push(note);
    }
    rows.push({ row: BARE_ROW, values: await bareFetchPost(BARE_POSTS, 1000 / WRITE_HZ) });
    return { rows, notes };
  },
  judge(medians) {
    if (!medians.has('ours')) return NOT_MEASURED;
    const ws = valueOf(medians, 'ours', ROW.websocket, 'p99Ms');
    const http = valueOf(medians, 'ours', ROW.http, 'p99Ms');
    return allOf([
      check(
        http <= MAX_RATIO * ws,
        `p99 ${show(http, 2)} ms over HTTP vs ${show(ws, 2)} ms over WebSocket`,
        http,
        ws,
      ),
    ]);
  },
  explain(medians) {
    const get = (row: string, key: string) => valueOf(medians, 'ours', row, key);
    const bare50 = get(BARE_ROW, 'p50Ms');
    if (!Number.isFinite(bare50)) return [];
    const gap50 = get(ROW.http, 'p50Ms') - get(ROW.websocket, 'p50Ms');
    const gap99 = get(ROW.http, 'p99Ms') - get(ROW.websocket, 'p99Ms');
    const share = bare50 >= gap50 / 2 ? 'most' : 'part';
    return [
      `Over HTTP an edit takes ${show(gap50, 2)} ms more at p50 and ${show(gap99, 2)} ms more at p99 than over WebSocket. The load generator's fetch alone, posting a small body at ${WRITE_HZ} Hz to a minimal Node HTTP server with no Boardcast behind it, takes p50 ${show(bare50, 2)} / p99 ${show(get(BARE_ROW, 'p99Ms'), 2)} ms from the call to the request's end arriving: the HTTP client and parser on the way up, paid once per edit, are ${share} of the p50 gap; behind them both transports reach the same room API.`,
    ];
  },
};
