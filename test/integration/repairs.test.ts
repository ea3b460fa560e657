/**
 * Two kinds of problem, two answers (contract: "WebSocket"): a well-formed edit with a bad value
 * is accepted and the server repairs the board with its own edit, and an update that arrives
 * before what it builds on is held until it can be checked whole. The sender is never closed for
 * either; only bounds that guard the server (held too long, too many held, an update that throws
 * in Yjs) close it, with their documented codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, getShapesMap, readShape, readShapes } from '../../common/board/board-doc.ts';
import { newRandomId } from '../../common/board/ids.ts';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import type { Snapshot } from '../../common/board/snapshot.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { connectRawPeer, type RawPeer } from '../helpers/raw-peer.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, storedLogOf, type TestServer } from '../helpers/test-server.ts';

const HELD_UPDATE_MS = 400;
const HELD_UPDATE_COUNT = 5;
const INCOMPLETE_SHAPE_GRACE_MS = 400;
/** Updates carrying this shape id throw when applied (the test hook). */
const EXPLODING_ID = 'explodes-when-applied';

let server: TestServer;
const cleanups: Array<() => void> = [];

before(async () => {
  server = await startTestServer({
    env: {
      HELD_UPDATE_MS: String(HELD_UPDATE_MS),
      HELD_UPDATE_COUNT: String(HELD_UPDATE_COUNT),
      INCOMPLETE_SHAPE_GRACE_MS: String(INCOMPLETE_SHAPE_GRACE_MS),
    },
    testHooks: {
      applyUpdate: (doc, update, origin) => {
        if (Buffer.from(update).includes(EXPLODING_ID)) throw new Error('injected apply failure');
        Y.applyUpdate(doc, update, origin);
      },
    },
  });
});
after(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.close();
});

interface Watched extends StockClient {
  /** Close codes this client got from the server. */
  closes: number[];
}

function stockClient(boardId: string): Watched {
  const client = connectStockClient(server.wsUrl, boardId);
  const closes: number[] = [];
  client.provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  cleanups.push(() => client.destroy());
  return Object.assign(client, { closes });
}

function rawPeer(boardId: string): RawPeer {
  const peer = connectRawPeer(server.wsUrl, boardId);
  cleanups.push(() => peer.terminate());
  return peer;
}

async function pair(): Promise<{ id: string; alice: Watched; bob: Watched }> {
  const id = newRandomId();
  const alice = stockClient(id);
  const bob = stockClient(id);
  await Promise.all([alice.synced, bob.synced]);
  return { id, alice, bob };
}

async function snapshot(id: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/boards/${id}`)).json()) as Snapshot;
}

async function metric(series: string): Promise<number> {
  return metricValue(await (await fetch(`${server.url}/metrics`)).text(), series);
}

function shapeOf(doc: Y.Doc, id: string): Y.Map<unknown> {
  return getShapesMap(doc).get(id) as Y.Map<unknown>;
}

/** The update `change` makes to `doc`. */
function capture(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const collect = (update: Uint8Array) => updates.push(update);
  doc.on('update', collect);
  change();
  doc.off('update', collect);
  return Y.mergeUpdates(updates);
}

describe('bad values are repaired, and their sender stays connected', () => {
  it('repairs a font size of 5,000 to 1,000 for every client and the snapshot; the sender’s later edits reach others', async () => {
    const { id, alice, bob } = await pair();
    addShapes(alice.doc, [rect('t', 0, 0, { type: 'text', text: 'hi' })]);
    await waitFor(() => readShape(bob.doc, 't') !== null, 2_000, 'the text');
    const repairsBefore = await metric('boardcast_repairs_total{action="field"}');
    shapeOf(alice.doc, 't').set('fontSize', 5_000);
    for (const doc of [alice.doc, bob.doc])
      await waitFor(
        () => readShape(doc, 't')?.fontSize === SHAPE_LIMITS.MAX_FONT_SIZE,
        3_000,
        'the repair',
      );
    const shape = (await snapshot(id)).shapes.find((candidate) => candidate.id === 't');
    assert.equal(shape?.fontSize, SHAPE_LIMITS.MAX_FONT_SIZE);
    addShapes(alice.doc, [rect('later', 50, 50)]);
    await waitFor(() => readShape(bob.doc, 'later') !== null, 2_000, 'a later edit');
    assert.deepEqual(alice.closes, []);
    assert.equal(alice.provider.wsconnected, true);
    assert.ok((await metric('boardcast_repairs_total{action="field"}')) > repairsBefore);
  });

  it('cuts a 20,000-character text, sets a NaN x to 0, clamps a huge width, and deletes a shape of no known type, in one transaction', async () => {
    const { id, alice, bob } = await pair();
    addShapes(alice.doc, [
      rect('long', 0, 0, { text: 'x'.repeat(20_000) }),
      rect('nan', 0, 0, { x: Number.NaN, width: 5e9 }),
      rect('hexagon', 0, 0, { type: 'hexagon' as never }),
      rect('fine', 7, 7),
    ]);
    const repaired = (doc: Y.Doc) =>
      readShape(doc, 'long')?.text.length === SHAPE_LIMITS.MAX_TEXT_LENGTH &&
      readShape(doc, 'nan')?.x === 0 &&
      readShape(doc, 'nan')?.width === SHAPE_LIMITS.MAX_SIZE &&
      !getShapesMap(doc).has('hexagon');
    for (const doc of [alice.doc, bob.doc])
      await waitFor(() => repaired(doc), 3_000, 'the repairs');
    assert.deepEqual((await snapshot(id)).shapes.map((shape) => shape.id).sort(), [
      'fine',
      'long',
      'nan',
    ]);
    const late = stockClient(id);
    await late.synced;
    assert.ok(repaired(late.doc), 'a late joiner sees the repaired board');
    assert.deepEqual(alice.closes, []);
  });

  it('waits for a shape written a field at a time, and deletes one still incomplete after the grace', async () => {
    const { alice, bob } = await pair();
    const shapes = getShapesMap(alice.doc);
    shapes.set('slow', new Y.Map());
    shapes.set('abandoned', new Y.Map());
    const slow = shapeOf(alice.doc, 'slow');
    for (const [field, value] of Object.entries({ type: 'rect', x: 1, y: 2, width: 3 })) {
      await new Promise((resolve) => setTimeout(resolve, INCOMPLETE_SHAPE_GRACE_MS / 8));
      slow.set(field, value);
    }
    slow.set('height', 4);
    await waitFor(() => readShape(bob.doc, 'slow') !== null, 2_000, 'the slow shape');
    await waitFor(
      () => !getShapesMap(bob.doc).has('abandoned'),
      3_000,
      'the abandoned shape to go',
    );
    await new Promise((resolve) => setTimeout(resolve, INCOMPLETE_SHAPE_GRACE_MS * 2));
    assert.ok(readShape(bob.doc, 'slow'), 'a shape completed within the grace was deleted');
    assert.deepEqual(alice.closes, []);
  });
});

describe('early updates are held, not refused', () => {
  it('holds an edit that arrives before the shape it edits, then applies and repairs it', async () => {
    const { id, bob } = await pair();
    const author = new Y.Doc();
    const created = capture(author, () => addShapes(author, [rect('early', 1, 1)]));
    const edited = capture(author, () => shapeOf(author, 'early').set('strokeWidth', 99_999));
    const heldBefore = await metric('boardcast_held_updates_total');
    const peer = rawPeer(id);
    await peer.joined;
    peer.sendUpdate(edited); // before its sync step 2, as a client that edits the moment it opens
    await waitFor(
      async () => (await metric('boardcast_held_updates_total')) > heldBefore,
      2_000,
      'the hold',
    );
    peer.sendSyncStep2(created);
    await waitFor(
      () => readShape(bob.doc, 'early')?.strokeWidth === SHAPE_LIMITS.MAX_STROKE_WIDTH,
      3_000,
      'the early edit, repaired',
    );
    assert.equal(peer.isOpen, true);
  });

  it('holds a stock client’s edit made the moment it reconnects, before its own sync step 2', async () => {
    const { alice, bob } = await pair();
    alice.provider.disconnect();
    addShapes(alice.doc, [rect('offline', 3, 3)]);
    const heldBefore = await metric('boardcast_held_updates_total');
    alice.provider.on('status', ({ status }) => {
      if (status === 'connected') shapeOf(alice.doc, 'offline').set('x', 33);
    });
    alice.provider.connect();
    await waitFor(() => readShape(bob.doc, 'offline')?.x === 33, 3_000, 'the reconnect edit');
    assert.ok((await metric('boardcast_held_updates_total')) > heldBefore, 'nothing was held');
    assert.deepEqual(alice.closes, []);
  });

  it('closes with 1013 a peer whose update waits past HELD_UPDATE_MS, and applies none of it', async () => {
    const { id, alice, bob } = await pair();
    const author = new Y.Doc();
    addShapes(author, [rect('never-sent')]);
    const edit = capture(author, () => shapeOf(author, 'never-sent').set('x', 5));
    const peer = rawPeer(id);
    await peer.joined;
    peer.sendUpdate(edit);
    const close = await peer.closed;
    assert.equal(close.code, CLOSE.TRY_AGAIN_LATER.code);
    addShapes(alice.doc, [rect('after')]);
    await waitFor(() => readShape(bob.doc, 'after') !== null, 2_000, 'a bystander edit');
    assert.equal(getShapesMap(bob.doc).has('never-sent'), false);
  });

  it('holds a delete of clocks nobody has, never applies it, and closes its sender with 1013', async () => {
    const { id, bob } = await pair();
    const forged = new Uint8Array([0, 1, 0xb2, 0xf1, 0x19, 1, 0, 0xe8, 0x07]); // client 424242, clocks 0–999
    const peer = rawPeer(id);
    await peer.joined;
    peer.sendUpdate(forged);
    assert.equal((await peer.closed).code, CLOSE.TRY_AGAIN_LATER.code);
    const { registry } = server.server.context;
    const access = await registry.resolve(id, false);
    assert.ok(access);
    const lease = await registry.acquire(access.board);
    assert.equal(lease.room.doc.store.pendingDs, null, 'the forged delete set reached the doc');
    lease.release();
    assert.equal(bob.doc.store.pendingDs, null);
  });

  it('closes with 1013 a peer holding more than HELD_UPDATE_COUNT updates', async () => {
    const { id } = await pair();
    const author = new Y.Doc();
    addShapes(author, [rect('missing')]);
    const peer = rawPeer(id);
    await peer.joined;
    for (let i = 0; i <= HELD_UPDATE_COUNT; i++)
      peer.sendUpdate(capture(author, () => shapeOf(author, 'missing').set('x', i)));
    assert.equal((await peer.closed).code, CLOSE.TRY_AGAIN_LATER.code);
    assert.ok((await metric('boardcast_refusals_total{reason="held_limit"}')) >= 1);
  });
});

describe('an update that throws while it is applied', () => {
  it('closes its sender alone with 1007, keeps the process up and the board loading after a restart', async () => {
    const { id, alice, bob } = await pair();
    addShapes(alice.doc, [rect('before', 1, 1)]);
    await waitFor(() => readShape(bob.doc, 'before') !== null, 2_000, 'a first shape');
    const failuresBefore = await metric('boardcast_apply_failures_total{where="peer"}');
    const author = new Y.Doc();
    const peer = rawPeer(id);
    await peer.joined;
    const exploding = capture(author, () => addShapes(author, [rect(EXPLODING_ID)]));
    peer.sendUpdate(exploding);
    assert.equal((await peer.closed).code, CLOSE.MALFORMED.code);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    addShapes(alice.doc, [rect('after', 2, 2)]);
    await waitFor(() => readShape(bob.doc, 'after') !== null, 2_000, 'a later edit');
    assert.equal(getShapesMap(bob.doc).has(EXPLODING_ID), false);
    assert.ok((await metric('boardcast_apply_failures_total{where="peer"}')) > failuresBefore);
    for (const cleanup of cleanups.splice(0)) cleanup();
    await server.restart();
    // Unloading compacted the log into the board as applied: the update that threw is gone.
    const { store } = server.server.context;
    const stored = await storedLogOf(store, id);
    assert.equal(stored.updates.length, 1);
    assert.ok(!Buffer.from(stored.updates[0] as Uint8Array).includes(EXPLODING_ID));
    // A log that still holds it (an instance stopped before compacting): loading skips it.
    const access = await store.findBoard(id);
    assert.ok(access);
    await store.appendUpdates(access.board.key, [exploding]);
    const late = stockClient(id);
    await late.synced;
    assert.deepEqual(
      readShapes(late.doc).map((shape) => shape.id),
      ['after', 'before'],
    );
    assert.ok((await metric('boardcast_apply_failures_total{where="load"}')) >= 1);
  });
});
