import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addShapes, readShapes, updateShapes, readShape } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE } from '../../common/protocol/message-types.ts';
import { openPostgresStore } from '../../server/storage/postgres-store.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { connectRawPeer } from '../helpers/raw-peer.ts';
import { servicesRequired, servicesUnavailable } from '../helpers/services.ts';
import { rect } from '../helpers/shapes.ts';
import { startScaleOut, type ScaleOutInstances } from '../helpers/scale-out-instances.ts';
import { storedLogOf, type ServerProcess } from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out.test.ts ${unavailable}`);

const ids = (client: StockClient) =>
  readShapes(client.doc)
    .map((shape) => shape.id)
    .sort();
const newBoard = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;
/** Short, so a forged delete set is seen through to its sender's close within the test. */
const HELD_UPDATE_MS = 1_000;

async function metricOf(server: ServerProcess, series: string): Promise<number> {
  return metricValue(await (await fetch(`${server.url}/metrics`)).text(), series);
}

/** An awareness frame setting `clientId`'s state, as a raw peer would send it. */
function awarenessFrame(clientId: number, clock: number, state: object): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, JSON.stringify(state));
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MESSAGE_TYPE.AWARENESS);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

describe(
  'several instances on Redis and PostgreSQL',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let deployment: ScaleOutInstances | undefined;
    let servers: ServerProcess[] = [];
    const clients: StockClient[] = [];
    const connect = (server: ServerProcess, board: string, doc?: Y.Doc) => {
      const client = connectStockClient(server.wsUrl, board, doc);
      clients.push(client);
      return client;
    };
    const instance = (n: 1 | 2 | 3) => servers[n - 1] as ServerProcess;

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      deployment = await startScaleOut(3, {
        LOG_LEVEL: process.env.SCALE_DEBUG ? 'debug' : 'warn',
        HELD_UPDATE_MS: String(HELD_UPDATE_MS),
      });
      servers = deployment.servers;
    });
    after(async () => {
      clients.forEach((client) => client.destroy());
      if (process.env.SCALE_DEBUG)
        servers.forEach((server, i) => console.log(`--- instance ${i + 1}\n${server.output()}`));
      await deployment?.stop();
    });

    it('converges stock clients on instance 1 and instance 3', async () => {
      const board = newBoard('converge');
      const [one, three] = [connect(instance(1), board), connect(instance(3), board)];
      await Promise.all([one.synced, three.synced]);
      addShapes(one.doc, [rect('from-1', 10)]);
      addShapes(three.doc, [rect('from-3', 30)]);
      await waitFor(
        () => ids(one).length === 2 && ids(three).length === 2,
        5_000,
        'both shapes everywhere',
      );
      updateShapes(one.doc, new Map([['from-3', { x: 111 }]]));
      updateShapes(three.doc, new Map([['from-3', { y: 333 }]]));
      await waitFor(
        () => readShape(one.doc, 'from-3')?.y === 333 && readShape(three.doc, 'from-3')?.x === 111,
        5_000,
        'both field edits',
      );
      assert.deepEqual(readShape(one.doc, 'from-3'), readShape(three.doc, 'from-3'));
    });

    it('holds a forged delete set on instance 1, never shares it, and no instance re-reads the board for it', async () => {
      const board = newBoard('forged');
      const [one, two] = [connect(instance(1), board), connect(instance(2), board)];
      await Promise.all([one.synced, two.synced]);
      const resyncsBefore = await Promise.all(
        [2, 3].map((n) => metricOf(instance(n as 2 | 3), 'boardcast_resyncs_total')),
      );
      const attacker = connectRawPeer(instance(1).wsUrl, board);
      await attacker.joined;
      attacker.sendUpdate(new Uint8Array([0, 1, 0xb2, 0xf1, 0x19, 1, 0, 0xe8, 0x07])); // client 424242, clocks 0–999
      for (let i = 0; i < 20; i++) {
        addShapes(one.doc, [rect(`after-forged-${i}`)]);
        await delay(75); // past the old one-resync-a-second throttle
      }
      await waitFor(() => ids(two).length === 20, 5_000, 'the edits on instance 2');
      assert.equal((await attacker.closed).code, CLOSE.TRY_AGAIN_LATER.code);
      assert.ok((await metricOf(instance(1), 'boardcast_held_updates_total')) >= 1);
      const resyncsAfter = await Promise.all(
        [2, 3].map((n) => metricOf(instance(n as 2 | 3), 'boardcast_resyncs_total')),
      );
      assert.deepEqual(resyncsAfter, resyncsBefore, 'an instance re-read the board');
      assert.equal(two.doc.store.pendingDs, null);
    });

    it('shows a client connected by the view id on instance 2 the edits made on instance 1', async () => {
      const board = newBoard('viewed');
      const links = (await (
        await fetch(`${instance(1).url}/api/boards/${board}/links`)
      ).json()) as { viewId: string };
      const editor = connect(instance(1), board);
      const viewer = connect(instance(2), links.viewId);
      await Promise.all([editor.synced, viewer.synced]);
      addShapes(editor.doc, [rect('seen-by-viewer')]);
      await waitFor(
        () => ids(viewer).includes('seen-by-viewer'),
        5_000,
        'the viewer on instance 2 to see the edit',
      );
      addShapes(viewer.doc, [rect('viewer-write')]); // read-only: never applied, stored or relayed
      await delay(300);
      assert.deepEqual(ids(editor), ['seen-by-viewer']);
    });

    it('relays presence across instances, keeps each id owned by its own peer, and removes it when the peer leaves', async () => {
      const board = newBoard('presence');
      const [one, three] = [connect(instance(1), board), connect(instance(3), board)];
      await Promise.all([one.synced, three.synced]);
      one.provider.awareness.setLocalState({
        user: { name: 'Ada', color: '#f00' },
        cursor: { x: 1, y: 2 },
        selection: [],
      });
      const seenOn3 = () =>
        three.provider.awareness.getStates().get(one.doc.clientID) as
          { user?: { name: string } } | undefined;
      await waitFor(
        () => seenOn3()?.user?.name === 'Ada',
        5_000,
        'presence from instance 1 on instance 3',
      );

      const spoofer = new WebSocket(`${instance(3).wsUrl}/${board}`);
      await new Promise((resolve) => spoofer.once('message', resolve));
      spoofer.send(
        awarenessFrame(one.doc.clientID, 1_000, {
          user: { name: 'Mallory', color: '#000' },
          cursor: null,
          selection: [],
        }),
      );
      await delay(300);
      assert.equal(
        seenOn3()?.user?.name,
        'Ada',
        "a peer on another instance changed Ada's presence",
      );
      spoofer.close();

      const late = connect(instance(2), board); // joins after Ada: gets her presence at once
      await late.synced;
      await waitFor(
        () => late.provider.awareness.getStates().has(one.doc.clientID),
        2_000,
        'presence for a joiner on instance 2',
      );
      one.provider.disconnect();
      await waitFor(
        () => !three.provider.awareness.getStates().has(one.doc.clientID),
        5_000,
        'presence removed on instance 3',
      );
    });

    it('loses nothing it relayed when instance 1 is killed with SIGKILL mid-edit, and its clients carry on through another instance', async () => {
      const board = newBoard('killed');
      const [writer, reader] = [connect(instance(1), board), connect(instance(2), board)];
      await Promise.all([writer.synced, reader.synced]);
      let written = 0;
      let writing = true;
      const loop = (async () => {
        while (writing) {
          addShapes(writer.doc, [rect(`k${written}`, written)]);
          written++;
          await delay(2);
        }
      })();
      await waitFor(() => ids(reader).length >= 100, 10_000, 'edits flowing to instance 2');
      instance(1).child.kill('SIGKILL');
      await instance(1).exited;
      writing = false;
      await loop;
      await delay(300); // messages instance 1 published before it died
      const relayed = ids(reader);

      const store = await openPostgresStore({
        connectionString: deployment?.database.url ?? '',
        poolSize: 1,
      });
      const log = await storedLogOf(store, board).finally(() => store.close());
      const storedDoc = new Y.Doc();
      log.updates.forEach((update) => Y.applyUpdate(storedDoc, update));
      const stored = new Set(readShapes(storedDoc).map((shape) => shape.id));
      assert.deepEqual(
        relayed.filter((id) => !stored.has(id)),
        [],
        'relayed but not stored',
      );

      writer.provider.destroy();
      const moved = connect(instance(3), board, writer.doc); // the same editor, through instance 3
      await moved.synced;
      await waitFor(
        () => ids(reader).length === written && ids(moved).length === written,
        10_000,
        'every edit on instances 2 and 3',
      );
    });
  },
);
