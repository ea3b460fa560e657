/**
 * Board history: a checkpoint per HISTORY_INTERVAL_MS of activity (shape count, who was present),
 * listed and rendered for the edit id only; checkpoints survive a restart and the compaction of
 * the update log; a restore is one server edit that every client converges on, with a concurrent
 * editor's later edits on top.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addShapes,
  readShape,
  readShapes,
  removeShapes,
  updateShapes,
} from '../../common/board/board-doc.ts';
import { newRandomId } from '../../common/board/ids.ts';
import type { Shape } from '../../common/board/shape.ts';
import { metricValue, mint, TEST_SECRET } from '../helpers/auth.ts';
import { getLinks } from '../helpers/board-api.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, storedLogOf, type TestServer } from '../helpers/test-server.ts';
import { SseViewer } from '../helpers/viewer-clients.ts';

interface Checkpoint {
  n: number;
  time: string;
  shapeCount: number;
  names: string[];
  bytes: number;
}

let server: TestServer;
const closers: Array<() => void> = [];

before(async () => {
  server = await startTestServer({
    env: { HISTORY_INTERVAL_MS: '150', COMPACT_AFTER_UPDATES: '4', ROOM_GRACE_MS: '50' },
  });
});
after(async () => {
  for (const close of closers) close();
  await server.close();
});

function client(id: string, name: string): StockClient {
  const stock = connectStockClient(server.wsUrl, id);
  stock.provider.awareness.setLocalStateField('user', { name, color: '#e03131' });
  closers.push(() => stock.destroy());
  return stock;
}

async function checkpoints(id: string): Promise<Checkpoint[]> {
  const response = await fetch(`${server.url}/api/boards/${id}/history`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { checkpoints: Checkpoint[] }).checkpoints;
}

async function waitForCheckpoints(id: string, count: number): Promise<Checkpoint[]> {
  let list: Checkpoint[] = [];
  await waitFor(
    async () => (list = await checkpoints(id)).length >= count,
    10_000,
    `${count} checkpoints`,
  );
  return list;
}

function ids(shapes: readonly Shape[]): string[] {
  return shapes.map((shape) => shape.id).sort();
}

describe('board history', () => {
  it('keeps a checkpoint of an edited board with its shape count and who was there', async () => {
    const id = newRandomId();
    const alice = client(id, 'Alice');
    await alice.synced;
    addShapes(alice.doc, [rect('a', 0, 0), rect('b', 200, 0)]);
    const [first] = await waitForCheckpoints(id, 1);
    assert.ok(first);
    assert.equal(first.n, 1);
    assert.equal(first.shapeCount, 2);
    assert.deepEqual(first.names, ['Alice']);
    assert.ok(first.bytes > 0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metricValue(metrics, 'boardcast_history_checkpoints_total{outcome="stored"}') >= 1);
    assert.ok(Math.abs(Date.parse(first.time) - Date.now()) < 60_000);

    const json = await fetch(`${server.url}/api/boards/${id}/history/1`);
    assert.deepEqual(ids(((await json.json()) as { shapes: Shape[] }).shapes), ['a', 'b']);
    const svg = await fetch(`${server.url}/api/boards/${id}/history/1.svg`);
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type') ?? '', /image\/svg\+xml/);
    const image = await svg.text();
    assert.match(image, /data-id="a"/);
    assert.match(image, /data-id="b"/);
    assert.equal((await fetch(`${server.url}/api/boards/${id}/history/9`)).status, 404);

    // Nothing changes for a while: no more checkpoints than the activity asked for.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await checkpoints(id)).length, 1);
  });

  it('read-only links cannot list, render or restore history (403)', async () => {
    const id = newRandomId();
    const bob = client(id, 'Bob');
    await bob.synced;
    addShapes(bob.doc, [rect('only', 0, 0)]);
    await waitForCheckpoints(id, 1);
    const { viewId } = await getLinks(server.url, id);
    const base = `${server.url}/api/boards/${viewId}/history`;
    const statuses = [
      (await fetch(base)).status,
      (await fetch(`${base}/1`)).status,
      (await fetch(`${base}/1.svg`)).status,
      (await fetch(`${base}/1/restore`, { method: 'POST' })).status,
    ];
    assert.deepEqual(statuses, [403, 403, 403, 403]);
  });

  it('checkpoints survive compaction of the log and a restart', async () => {
    const id = newRandomId();
    const carol = client(id, 'Carol');
    await carol.synced;
    addShapes(carol.doc, [rect('k1', 0, 0), rect('k2', 0, 100), rect('k3', 0, 200)]);
    await waitForCheckpoints(id, 1);
    const compactionsBefore = metricValue(
      await (await fetch(`${server.url}/metrics`)).text(),
      'boardcast_compactions_total',
    );
    for (let i = 0; i < 8; i++) {
      updateShapes(carol.doc, new Map([['k1', { x: i * 10 }]]));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    removeShapes(carol.doc, ['k2', 'k3']);
    await waitFor(
      async () =>
        metricValue(
          await (await fetch(`${server.url}/metrics`)).text(),
          'boardcast_compactions_total',
        ) > compactionsBefore,
      10_000,
      'a compaction',
    );
    await waitForCheckpoints(id, 2);
    carol.destroy();
    await server.restart();
    const listed = await checkpoints(id);
    assert.ok(listed.length >= 2, `${listed.length} checkpoints after the restart`);
    const oldest = listed[listed.length - 1] as Checkpoint;
    assert.equal(oldest.n, 1);
    assert.equal(oldest.shapeCount, 3);
    const first = (await (await fetch(`${server.url}/api/boards/${id}/history/1`)).json()) as {
      shapes: Shape[];
    };
    assert.deepEqual(ids(first.shapes), ['k1', 'k2', 'k3']);
    assert.ok((await storedLogOf(server.server.context.store, id)).updates.length <= 5);

    const restored = await fetch(`${server.url}/api/boards/${id}/history/1/restore`, {
      method: 'POST',
    });
    assert.equal(restored.status, 200);
    const now = (await (await fetch(`${server.url}/api/boards/${id}/shapes`)).json()) as {
      shapes: Shape[];
    };
    assert.deepEqual(ids(now.shapes), ['k1', 'k2', 'k3']);
  });

  it('a restore while another client edits: everyone converges on it plus the later edits', async () => {
    const id = newRandomId();
    const dana = client(id, 'Dana');
    const erin = client(id, 'Erin');
    await Promise.all([dana.synced, erin.synced]);
    addShapes(dana.doc, [rect('keep', 0, 0), rect('lost', 200, 0, { text: 'important' })]);
    await waitForCheckpoints(id, 1);
    // The mistake: half the board deleted, something else drawn.
    removeShapes(dana.doc, ['lost']);
    addShapes(dana.doc, [rect('newer', 400, 0)]);
    await waitForCheckpoints(id, 2);
    await waitFor(() => readShapes(erin.doc).length === 2, 5_000, 'Erin to see the mistake');
    const viewer = new SseViewer(`${server.url}/api/boards/${id}/events`);
    closers.push(() => viewer.close());
    await waitFor(() => viewer.shapes.size === 2, 10_000, 'the viewer snapshot');

    // Erin keeps editing while the restore runs.
    let editing = true;
    let writes = 0;
    const erinEdits = (async () => {
      while (editing) {
        updateShapes(erin.doc, new Map([['keep', { text: `erin ${writes++}` }]]));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const response = await fetch(`${server.url}/api/boards/${id}/history/1/restore`, {
      method: 'POST',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { restored: 1, shapeCount: 2 });
    await waitFor(() => readShape(erin.doc, 'lost') !== null, 10_000, 'Erin to get the restore');
    editing = false;
    await erinEdits;
    // Erin's later edits, made after she saw the restore.
    addShapes(erin.doc, [rect('later', 0, 300)]);
    updateShapes(erin.doc, new Map([['keep', { x: 77, text: 'final' }]]));

    const expected = ['keep', 'later', 'lost'];
    for (const [who, doc] of [
      ['Dana', dana.doc],
      ['Erin', erin.doc],
    ] as const) {
      await waitFor(
        () => readShape(doc, 'keep')?.x === 77 && ids(readShapes(doc)).join() === expected.join(),
        10_000,
        `${who} to converge`,
      );
      assert.equal(readShape(doc, 'lost')?.text, 'important');
      assert.equal(readShape(doc, 'keep')?.text, 'final');
    }
    await waitFor(
      () => ids(viewer.board()).join() === expected.join() && viewer.shapes.get('keep')?.x === 77,
      10_000,
      'the viewer to converge',
    );
    const stored = (await (await fetch(`${server.url}/api/boards/${id}/shapes`)).json()) as {
      shapes: Shape[];
    };
    assert.deepEqual(ids(stored.shapes), expected);
    assert.ok(writes > 0);
    assert.equal(erin.provider.wsconnected, true, 'Erin was never closed');
  });

  it('deleting a board deletes its history', async () => {
    const id = newRandomId();
    const fay = client(id, 'Fay');
    await fay.synced;
    addShapes(fay.doc, [rect('x', 0, 0)]);
    await waitForCheckpoints(id, 1);
    const access = await server.server.context.store.findBoard(id);
    assert.ok(access);
    assert.equal((await server.server.context.store.history.list(access.board.key)).length, 1);
    assert.equal((await fetch(`${server.url}/api/boards/${id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await server.server.context.store.history.list(access.board.key), []);
  });

  it('JWT mode: history needs an edit token for the board', async () => {
    const secured = await startTestServer({
      env: { AUTH_SECRET: TEST_SECRET, HISTORY_INTERVAL_MS: '100' },
    });
    try {
      const id = newRandomId();
      const edit = { authorization: `Bearer ${await mint(id, 'edit')}` };
      const view = { authorization: `Bearer ${await mint(id, 'view')}` };
      const shapes = `${secured.url}/api/boards/${id}/shapes`;
      const posted = await fetch(shapes, {
        method: 'POST',
        headers: edit,
        body: JSON.stringify({ shapes: [{ type: 'rect', x: 0, y: 0, width: 5, height: 5 }] }),
      });
      assert.equal(posted.status, 200);
      const list = `${secured.url}/api/boards/${id}/history`;
      await waitFor(
        async () =>
          ((await (await fetch(list, { headers: edit })).json()) as { checkpoints: unknown[] })
            .checkpoints.length === 1,
        10_000,
        'a checkpoint of the API edit',
      );
      assert.equal((await fetch(list)).status, 401);
      assert.equal((await fetch(list, { headers: view })).status, 403);
      const restore = await fetch(`${list}/1/restore`, { method: 'POST', headers: view });
      assert.equal(restore.status, 403);
      assert.equal(
        (await fetch(`${list}/1/restore`, { method: 'POST', headers: edit })).status,
        200,
      );
    } finally {
      await secured.close();
    }
  });
});
