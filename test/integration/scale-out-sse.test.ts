import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { addShapes, removeShapes } from '../../common/board/board-doc.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { servicesRequired, servicesUnavailable } from '../helpers/services.ts';
import { rect } from '../helpers/shapes.ts';
import { startScaleOut, type ScaleOutInstances } from '../helpers/scale-out-instances.ts';
import type { ServerProcess } from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out-sse.test.ts ${unavailable}`);

/** The shape ids an SSE viewer holds, rebuilt from its snapshot and patch events. */
function watchShapeIds(url: string): { ids: Set<string>; source: EventSource } {
  const ids = new Set<string>();
  const source = new EventSource(url);
  source.addEventListener('snapshot', (event) => {
    const snapshot = JSON.parse(event.data) as { shapes: Array<{ id: string }> };
    ids.clear();
    snapshot.shapes.forEach((shape) => ids.add(shape.id));
  });
  source.addEventListener('patch', (event) => {
    const patch = JSON.parse(event.data) as { upsert: Array<{ id: string }>; remove: string[] };
    patch.upsert.forEach((shape) => ids.add(shape.id));
    patch.remove.forEach((id) => ids.delete(id));
  });
  return { ids, source };
}

describe(
  'SSE viewers across instances',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let deployment: ScaleOutInstances | undefined;
    let servers: ServerProcess[] = [];
    const clients: StockClient[] = [];
    const sources: EventSource[] = [];

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      deployment = await startScaleOut(2);
      servers = deployment.servers;
    });
    after(async () => {
      sources.forEach((source) => source.close());
      clients.forEach((client) => client.destroy());
      await deployment?.stop();
    });

    it('streams to an SSE viewer on instance 2 the edits made on instance 1', async () => {
      const [one, two] = servers as [ServerProcess, ServerProcess];
      const board = `sse-${randomBytes(4).toString('hex')}`;
      const links = (await (await fetch(`${one.url}/api/boards/${board}/links`)).json()) as {
        viewId: string;
      };
      const editor = connectStockClient(one.wsUrl, board);
      clients.push(editor);
      await editor.synced;
      addShapes(editor.doc, [rect('before-viewer')]);

      const viewer = watchShapeIds(`${two.url}/api/boards/${links.viewId}/events`);
      sources.push(viewer.source);
      await waitFor(() => viewer.ids.has('before-viewer'), 5_000, 'the snapshot on instance 2');
      addShapes(editor.doc, [rect('after-viewer')]);
      await waitFor(
        () => viewer.ids.has('after-viewer'),
        5_000,
        'a patch with the edit made on instance 1',
      );
      removeShapes(editor.doc, ['before-viewer']);
      await waitFor(() => !viewer.ids.has('before-viewer'), 5_000, 'a patch removing the shape');
      assert.deepEqual([...viewer.ids], ['after-viewer']);
    });
  },
);
