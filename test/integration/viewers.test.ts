/**
 * SSE viewers against a real server, edited by the stock y-websocket client: snapshot then
 * patches that rebuild the board exactly, resuming with Last-Event-ID, the ~30 events a second
 * cap, and one encoding shared by every viewer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as Y from 'yjs';
import {
  addShapes,
  getShapesMap,
  readShapes,
  removeShapes,
  updateShapes,
} from '../../common/board/board-doc.ts';
import type { Patch, Snapshot } from '../../common/board/snapshot.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { metric, SseViewer } from '../helpers/viewer-clients.ts';

describe('SSE viewers', () => {
  let server: TestServer;
  const editors: StockClient[] = [];
  const viewers: SseViewer[] = [];

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const viewer of viewers) viewer.close();
    for (const editor of editors) editor.destroy();
    await server.close();
  });

  async function editor(boardId: string): Promise<StockClient> {
    const client = connectStockClient(server.wsUrl, boardId);
    editors.push(client);
    await client.synced;
    return client;
  }

  function viewer(boardId: string, lastEventId?: string, query = ''): SseViewer {
    const opened = new SseViewer(`${server.url}/api/boards/${boardId}/events${query}`, lastEventId);
    viewers.push(opened);
    return opened;
  }

  const sameBoard = (v: SseViewer, e: StockClient) =>
    JSON.stringify(v.board()) === JSON.stringify(readShapes(e.doc));

  it('sends a snapshot, then patches that rebuild the board exactly as the editor has it', async () => {
    const e = await editor('sse-rebuild');
    addShapes(e.doc, [rect('a', 0, 0), rect('b', 10, 10), { ...rect('c', 20, 20), z: -1 }]);
    await delay(100);
    const v = viewer('sse-rebuild');
    await waitFor(() => v.snapshots.length === 1, 3_000, 'snapshot');
    const first = v.events[0];
    assert.equal(first?.type, 'snapshot');
    assert.equal((first?.data as Snapshot).id, 'sse-rebuild');
    assert.deepEqual(
      (first?.data as Snapshot).shapes.map((s) => s.id),
      ['c', 'a', 'b'],
      'paint order',
    );
    assert.equal(first?.id, first?.data.version, 'event id is the version');

    updateShapes(e.doc, new Map([['a', { x: 500, text: 'moved' }]]));
    removeShapes(e.doc, ['b']);
    addShapes(e.doc, [{ ...rect('d', 5, 5), type: 'ellipse', fill: '#ff0000' }]);
    // A field deleted under a shape makes it invalid: viewers must see it removed.
    e.doc.transact(() => (getShapesMap(e.doc).get('c') as Y.Map<unknown>).delete('x'));
    await waitFor(
      () => sameBoard(v, e) && v.patches.length > 0,
      3_000,
      'viewer to match the editor',
    );
    assert.deepEqual(
      v.board().map((s) => s.id),
      ['a', 'd'],
    );
    assert.equal(v.baseMismatches, 0);
    for (const patch of v.patches) assert.equal(patch.id, patch.data.version);
  });

  it('resumes with Last-Event-ID with only what was missed, and sends a snapshot for an unknown id', async () => {
    const e = await editor('sse-resume');
    addShapes(e.doc, [rect('keep'), rect('gone'), rect('moves')]);
    const first = viewer('sse-resume');
    await waitFor(() => first.shapes.size === 3, 3_000, 'three shapes');
    const seen = first.version as string;
    first.close();

    updateShapes(e.doc, new Map([['moves', { x: 99 }]]));
    removeShapes(e.doc, ['gone']);
    await delay(150);
    for (const resumed of [
      viewer('sse-resume', seen),
      viewer('sse-resume', undefined, `?lastEventId=${seen}`),
    ]) {
      await waitFor(() => resumed.events.length > 0, 3_000, 'resume');
      const patch = resumed.events[0]?.data as Patch;
      assert.equal(resumed.events[0]?.type, 'patch');
      assert.equal(patch.base, seen);
      assert.deepEqual(
        patch.upsert.map((s) => [s.id, s.x]),
        [['moves', 99]],
      );
      assert.deepEqual(patch.remove, ['gone']);
    }

    const unknown = viewer('sse-resume', 'not-a-version.7');
    await waitFor(() => unknown.events.length > 0, 3_000, 'snapshot');
    assert.equal(unknown.events[0]?.type, 'snapshot');
    assert.deepEqual(
      unknown
        .board()
        .map((s) => s.id)
        .sort(),
      ['keep', 'moves'],
    );
  });

  it('sends nothing on resume when nothing was missed, then the next change', async () => {
    const e = await editor('sse-current');
    addShapes(e.doc, [rect('one')]);
    const first = viewer('sse-current');
    await waitFor(() => first.shapes.size === 1, 3_000, 'snapshot');
    const resumed = viewer('sse-current', first.version as string);
    await delay(200);
    assert.equal(resumed.events.length, 0);
    addShapes(e.doc, [rect('two')]);
    await waitFor(() => resumed.events.length === 1, 3_000, 'patch');
    assert.equal(resumed.events[0]?.type, 'patch');
    assert.deepEqual(
      (resumed.events[0]?.data as Patch).upsert.map((s) => s.id),
      ['two'],
    );
  });

  it('sends at most about 30 events a second, merging the changes in between', async () => {
    const e = await editor('sse-rate');
    addShapes(e.doc, [rect('dragged')]);
    const v = viewer('sse-rate');
    await waitFor(() => v.shapes.size === 1, 3_000, 'snapshot');
    const start = performance.now();
    for (let i = 1; i <= 200; i++) {
      updateShapes(e.doc, new Map([['dragged', { x: i }]]));
      await delay(5);
    }
    await waitFor(() => v.shapes.get('dragged')?.x === 200, 3_000, 'last position');
    const seconds = (performance.now() - start) / 1_000;
    const patches = v.patches.length;
    assert.ok(
      patches <= Math.ceil(seconds * 33) + 2,
      `${patches} patches in ${seconds.toFixed(2)} s`,
    );
    assert.ok(patches < 200, 'changes were merged');
  });

  it('encodes each patch once, whatever the number of viewers', async () => {
    const e = await editor('sse-once');
    addShapes(e.doc, [rect('s')]);
    const many = Array.from({ length: 20 }, () => viewer('sse-once'));
    await waitFor(() => many.every((v) => v.shapes.size === 1), 3_000, 'snapshots');
    const before = await server.server.context.metrics.registry.metrics();
    for (let i = 0; i < 5; i++) {
      updateShapes(e.doc, new Map([['s', { text: `change ${i} `.repeat(50) }]]));
      await delay(60);
    }
    await waitFor(
      () => many.every((v) => v.shapes.get('s')?.text.startsWith('change 4')),
      3_000,
      'patches',
    );
    const after = await server.server.context.metrics.registry.metrics();
    const encoded =
      metric(after, 'boardcast_viewer_encoded_bytes_total') -
      metric(before, 'boardcast_viewer_encoded_bytes_total');
    const sent =
      metric(after, 'boardcast_viewer_sent_bytes_total') -
      metric(before, 'boardcast_viewer_sent_bytes_total');
    assert.ok(encoded > 0 && sent >= 19 * encoded, `encoded ${encoded} bytes, sent ${sent}`);
  });

  it('frees a stream and its hold on the board when the viewer leaves', async () => {
    await editor('sse-leave');
    const open = async () =>
      metric(
        await server.server.context.metrics.registry.metrics(),
        'boardcast_connections',
        'transport="sse"',
      );
    const before = await open();
    const v = viewer('sse-leave');
    await waitFor(() => v.snapshots.length === 1, 3_000, 'snapshot');
    assert.equal(await open(), before + 1);
    v.close();
    await waitFor(async () => (await open()) === before, 3_000, 'stream freed');
  });
});
