/**
 * Scale-out (PostgreSQL + Redis, two server processes): a shapes API write on one instance
 * reaches a stock client on the other, and the board's history lives in PostgreSQL, so either
 * instance lists and restores it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readShape, readShapes } from '../../common/board/board-doc.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { servicesRequired, servicesUnavailable } from '../helpers/services.ts';
import { startScaleOut, type ScaleOutInstances } from '../helpers/scale-out-instances.ts';
import type { ServerProcess } from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out-shapes-history.test.ts ${unavailable}`);

describe(
  'shapes API and history across instances',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let deployment: ScaleOutInstances | undefined;
    let servers: ServerProcess[] = [];
    const clients: StockClient[] = [];

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      deployment = await startScaleOut(2, { HISTORY_INTERVAL_MS: '200' });
      servers = deployment.servers;
    });
    after(async () => {
      clients.forEach((client) => client.destroy());
      await deployment?.stop();
    });

    it('a POST on instance 1 reaches a client of instance 2; instance 2 lists and restores its checkpoint', async () => {
      const [one, two] = servers as [ServerProcess, ServerProcess];
      const board = `shapes-${randomBytes(4).toString('hex')}`;
      const client = connectStockClient(two.wsUrl, board);
      clients.push(client);
      await client.synced;
      const post = (body: unknown) =>
        fetch(`${one.url}/api/boards/${board}/shapes`, {
          method: 'POST',
          body: JSON.stringify(body),
        });
      const posted = await post({
        shapes: [
          { id: 'a', type: 'rect', x: 0, y: 0, width: 10, height: 10 },
          { id: 'b', type: 'ellipse', x: 50, y: 0, width: 10, height: 10 },
        ],
      });
      assert.equal(posted.status, 200);
      await waitFor(() => readShapes(client.doc).length === 2, 10_000, 'instance 2 client');

      const history = `${two.url}/api/boards/${board}/history`;
      const listed = async () =>
        (
          (await (await fetch(history)).json()) as {
            checkpoints: Array<{ n: number; shapeCount: number }>;
          }
        ).checkpoints;
      await waitFor(async () => (await listed()).length >= 1, 10_000, 'a checkpoint in PostgreSQL');
      const first = (await listed()).at(-1);
      assert.equal(first?.shapeCount, 2);

      const removed = await fetch(`${one.url}/api/boards/${board}/shapes/b`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      await waitFor(() => readShape(client.doc, 'b') === null, 10_000, 'the delete on instance 2');
      const restored = await fetch(`${history}/${first?.n}/restore`, { method: 'POST' });
      assert.equal(restored.status, 200);
      await waitFor(() => readShape(client.doc, 'b') !== null, 10_000, 'the restore');
      await waitFor(
        async () => {
          const now = (await (await fetch(`${one.url}/api/boards/${board}/shapes`)).json()) as {
            shapes: Array<{ id: string }>;
          };
          return now.shapes.length === 2;
        },
        10_000,
        'instance 1 to hold the restored board',
      );
    });
  },
);
