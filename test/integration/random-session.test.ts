/**
 * Seeded random editing sessions (contract: "An honest client is never closed for what it
 * sends"): several stock y-websocket clients, two of them sharing one document as two tabs of a
 * browser do, add, move, restyle, retext, repoint and delete shapes, undo and redo, move several
 * shapes in one transaction, write bad values (a font size of 5,000, a 20,000-character text,
 * NaN coordinates…), create shapes a field at a time, go offline and edit the moment they are
 * back. Afterwards: no client was ever closed by the server, they all hold the same board, the
 * server's snapshot and a late joiner agree with them, and every shape on the board is valid.
 *
 * `npm test` runs a few fixed seeds; BOARDCAST_RANDOM_SEEDS=<count> runs that many more (seeds
 * 1000, 1001, …), and BOARDCAST_RANDOM_SEED=<seed> runs one seed alone (to replay a failure).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { getShapesMap, readShapes } from '../../common/board/board-doc.ts';
import type { Snapshot } from '../../common/board/snapshot.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { RandomSession, seededRandom, type SessionClient } from '../helpers/random-session.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const FIXED_SEEDS = [1, 2, 3];
const STEPS = 200;
/** Short, so incomplete shapes left by undo are settled before the session ends. */
const INCOMPLETE_SHAPE_GRACE_MS = 500;
const SETTLE_MS = 20_000;

function seeds(): number[] {
  const one = Number(process.env.BOARDCAST_RANDOM_SEED);
  if (Number.isInteger(one) && process.env.BOARDCAST_RANDOM_SEED) return [one];
  const more = Number(process.env.BOARDCAST_RANDOM_SEEDS) || 0;
  return [...FIXED_SEEDS, ...Array.from({ length: more }, (_, i) => 1_000 + i)];
}

let server: TestServer;
const cleanups: Array<() => void> = [];

before(async () => {
  server = await startTestServer({
    env: { INCOMPLETE_SHAPE_GRACE_MS: String(INCOMPLETE_SHAPE_GRACE_MS) },
  });
});
after(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.close();
});

/** Records the close codes the server sends (a close we make ourselves has no event). */
function watchCloses(provider: WebsocketProvider, closes: number[]): void {
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
}

function sessionClient(name: string, client: StockClient): SessionClient {
  const closes: number[] = [];
  watchCloses(client.provider, closes);
  cleanups.push(() => client.destroy());
  const undo = new Y.UndoManager(getShapesMap(client.doc), { captureTimeout: 50 });
  return { name, client, undo, closes };
}

/** A second tab on the same document: another provider, another socket, one Y.Doc. */
function secondTab(boardId: string, first: StockClient, closes: number[]): WebsocketProvider {
  const provider = new WebsocketProvider(server.wsUrl, boardId, first.doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, // ws is API-compatible; its types differ
    disableBc: true,
    maxBackoffTime: 200,
  });
  watchCloses(provider, closes);
  cleanups.push(() => provider.destroy());
  return provider;
}

/** The whole board, valid or not, with keys sorted (map key order depends on arrival order). */
const boardJson = (doc: Y.Doc) => JSON.stringify(sortKeys(getShapesMap(doc).toJSON()));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : 1,
  );
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
}
const validJson = (doc: Y.Doc) => JSON.stringify(readShapes(doc));

async function snapshotShapes(boardId: string): Promise<string> {
  const snapshot = (await (await fetch(`${server.url}/api/boards/${boardId}`)).json()) as Snapshot;
  return JSON.stringify(snapshot.shapes);
}

async function refusals(): Promise<string[]> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^boardcast_refusals_total\{reason="([^"]+)"\} (\S+)$/gm)]
    .filter(([, reason]) =>
      /^(gate_|held_|apply_failed|awareness_|pending_frames)/.test(reason ?? ''),
    )
    .map(([, reason, count]) => `${reason}=${count}`);
}

/** Everyone converged on a board where every entry is a valid shape. */
async function settled(boardId: string, docs: Y.Doc[]): Promise<boolean> {
  const first = docs[0] as Y.Doc;
  const board = boardJson(first);
  if (docs.some((doc) => boardJson(doc) !== board)) return false;
  if (readShapes(first).length !== getShapesMap(first).size) return false;
  return (await snapshotShapes(boardId)) === validJson(first);
}

/** What differs, for the failure message. */
async function diagnose(boardId: string, docs: Y.Doc[]): Promise<string> {
  const first = docs[0] as Y.Doc;
  const lines = docs.map((doc, i) => {
    const ids = [...getShapesMap(doc).keys()];
    const invalid = ids.filter((id) => !readShapes(doc).some((shape) => shape.id === id));
    return `doc ${i}: ${ids.length} entries, invalid ${JSON.stringify(invalid.slice(0, 5))}, same as 0: ${boardJson(doc) === boardJson(first)}, pending ${doc.store.pendingStructs !== null}/${doc.store.pendingDs !== null}, sv ${JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))])}`;
  });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const interesting = metrics
    .split('\n')
    .filter((line) => /^boardcast_(refusals|held|repairs|apply)/.test(line));
  return [
    ...lines,
    `snapshot same: ${(await snapshotShapes(boardId)) === validJson(first)}`,
    ...interesting,
  ].join('\n');
}

async function runSession(seed: number): Promise<void> {
  const boardId = `random-${seed}-${Date.now().toString(36)}`;
  const random = seededRandom(seed);
  const people = ['ann', 'bo', 'cy'].map((name) =>
    sessionClient(name, connectStockClient(server.wsUrl, boardId)),
  );
  const tabs = sessionClient('dee', connectStockClient(server.wsUrl, boardId));
  const secondTabCloses: number[] = [];
  const other = secondTab(boardId, tabs.client, secondTabCloses);
  const everyone = [...people, tabs];
  await Promise.all(everyone.map((person) => person.client.synced));
  const session = new RandomSession(random, everyone);

  for (let step = 0; step < STEPS; step++) {
    await session.step(session.clients[Math.floor(random() * everyone.length)] as SessionClient);
    if (random() < 0.3) await delay(Math.floor(random() * 15));
  }
  for (const person of everyone)
    if (!person.client.provider.wsconnected) person.client.provider.connect();
  if (!other.wsconnected) other.connect();
  const docs = everyone.map((person) => person.client.doc);
  await waitFor(() => settled(boardId, docs), SETTLE_MS, `seed ${seed} to converge`).catch(
    async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${await diagnose(boardId, docs)}`);
    },
  );

  const late = connectStockClient(server.wsUrl, boardId);
  cleanups.push(() => late.destroy());
  await late.synced;
  assert.equal(validJson(late.doc), validJson(docs[0] as Y.Doc), `seed ${seed}: the late joiner`);
  assert.equal(boardJson(late.doc), boardJson(docs[0] as Y.Doc));
  for (const person of everyone)
    assert.deepEqual(person.closes, [], `seed ${seed}: ${person.name} was closed by the server`);
  assert.deepEqual(secondTabCloses, [], `seed ${seed}: the second tab was closed by the server`);
  assert.deepEqual(await refusals(), [], `seed ${seed}: the server refused something`);
  for (const person of [...everyone]) person.undo.destroy();
  // Each session's sockets go with it (a long run would pass MAX_CONNECTIONS_PER_IP).
  for (const cleanup of cleanups.splice(0)) cleanup();
}

describe('random editing sessions with stock clients', () => {
  for (const seed of seeds()) {
    it(
      `seed ${seed}: nobody is closed, everyone converges on a valid board with the snapshot and a late joiner`,
      { timeout: 120_000 },
      async () => {
        await runSession(seed);
      },
    );
  }

  it('made the server repair bad values and hold early updates along the way', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metricValue(text, 'boardcast_repairs_total{action="field"}') > 0, 'no repairs');
    assert.ok(metricValue(text, 'boardcast_held_updates_total') > 0, 'nothing was held');
  });
});
