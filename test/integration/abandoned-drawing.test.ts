/**
 * A shape still being drawn when its drawer's connection ends is removed by the server (issue
 * 12: a lost connection leaves nothing behind); a finished one, or one marked with someone
 * else's id, stays. Real server, stock y-websocket clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addShapes,
  DRAWING_FIELD,
  getShapesMap,
  readShapes,
  setDrawing,
} from '../../common/board/board-doc.ts';
import { newRandomId } from '../../common/board/ids.ts';
import { ABANDONED_DRAWING_GRACE_MS } from '../../server/room/abandoned-drawings.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
const clients: StockClient[] = [];

before(async () => {
  server = await startTestServer();
});
after(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await server.close();
});

async function pair(): Promise<{ alice: StockClient; bob: StockClient }> {
  const id = newRandomId();
  const alice = connectStockClient(server.wsUrl, id);
  const bob = connectStockClient(server.wsUrl, id);
  clients.push(alice, bob);
  await Promise.all([alice.synced, bob.synced]);
  alice.provider.awareness.setLocalState({ user: { name: 'Alice', color: '#e03131' } });
  // The server knows Alice's client id once her presence arrived (Bob sees it).
  await waitFor(() => bob.provider.awareness.getStates().has(alice.doc.clientID));
  return { alice, bob };
}

async function abandonedCount(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return metricValue(text, 'boardcast_repairs_total{action="abandoned_drawing"}');
}

const ids = (client: StockClient) => readShapes(client.doc).map((shape) => shape.id);

describe('abandoned drawings', () => {
  it('removes the shapes a leaving connection was still drawing, and only those', async () => {
    const { alice, bob } = await pair();
    addShapes(alice.doc, [rect('drawing'), rect('done'), rect('someone-elses')]);
    setDrawing(alice.doc, 'drawing', alice.doc.clientID);
    setDrawing(alice.doc, 'done', alice.doc.clientID);
    setDrawing(alice.doc, 'done', null); // finished: the mark is gone
    setDrawing(alice.doc, 'someone-elses', bob.doc.clientID);
    await waitFor(() => ids(bob).length === 3, 5_000, 'Bob sees the three shapes');
    assert.equal(getShapesMap(bob.doc).toJSON().drawing?.[DRAWING_FIELD], alice.doc.clientID);
    const before = await abandonedCount();

    alice.destroy();
    const removal = ABANDONED_DRAWING_GRACE_MS + 5_000;
    await waitFor(() => !ids(bob).includes('drawing'), removal, 'the abandoned shape removed');
    await delay(200);
    assert.deepEqual(ids(bob).sort(), ['done', 'someone-elses']);
    assert.equal((await abandonedCount()) - before, 1);
  });

  it('keeps the shape of a drawer who is back within the grace (a transport move, a blip)', async () => {
    const { alice, bob } = await pair();
    addShapes(alice.doc, [rect('still-drawing')]);
    setDrawing(alice.doc, 'still-drawing', alice.doc.clientID);
    await waitFor(() => ids(bob).length === 1);
    alice.provider.disconnect();
    alice.provider.connect(); // the same client id, introduced again by the new connection
    await alice.synced;
    await delay(ABANDONED_DRAWING_GRACE_MS + 1_000);
    assert.deepEqual(ids(bob), ['still-drawing']);
    setDrawing(alice.doc, 'still-drawing', null); // and it finishes normally
    await waitFor(
      () => getShapesMap(bob.doc).toJSON()['still-drawing']?.[DRAWING_FIELD] === undefined,
    );
  });

  it('leaves a board alone when the leaving connection was drawing nothing', async () => {
    const { alice, bob } = await pair();
    addShapes(alice.doc, [rect('kept')]);
    await waitFor(() => ids(bob).length === 1);
    alice.destroy();
    await delay(300);
    assert.deepEqual(ids(bob), ['kept']);
  });
});
