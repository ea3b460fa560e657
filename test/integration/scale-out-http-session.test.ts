/**
 * Scale-out: an editor's HTTP session created on one instance is served through another (no
 * sticky balancer): the second instance finds the owner in Redis and forwards the request,
 * streams included (docs/scaling.md "HTTP sessions").
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { RawSession } from '../helpers/http-session-client.ts';
import { encodeSyncFrame } from '../helpers/raw-peer.ts';
import { servicesRequired, servicesUnavailable } from '../helpers/services.ts';
import { rect } from '../helpers/shapes.ts';
import { startScaleOut, type ScaleOutInstances } from '../helpers/scale-out-instances.ts';
import type { ServerProcess } from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out-http-session.test.ts ${unavailable}`);

function applyDocumentMessages(doc: Y.Doc, payloads: readonly string[]): void {
  for (const payload of payloads) {
    const decoder = decoding.createDecoder(new Uint8Array(Buffer.from(payload, 'base64')));
    if (decoding.readVarUint(decoder) !== MESSAGE_TYPE.SYNC) continue;
    if (decoding.readVarUint(decoder) === SYNC_STEP.STEP1) continue;
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
  }
}

describe(
  'HTTP sessions across instances',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let deployment: ScaleOutInstances | undefined;
    let servers: ServerProcess[] = [];
    const clients: StockClient[] = [];

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      deployment = await startScaleOut(2);
      servers = deployment.servers;
    });
    after(async () => {
      clients.forEach((client) => client.destroy());
      await deployment?.stop();
    });

    it('serves a session created on instance 1 through instance 2', async () => {
      const [one, two] = servers as [ServerProcess, ServerProcess];
      const board = `http-${randomBytes(4).toString('hex')}`;
      const editor = connectStockClient(one.wsUrl, board);
      clients.push(editor);
      await editor.synced;
      addShapes(editor.doc, [rect('before', 1, 1)]);

      const created = await RawSession.create(one.url, board);
      const viaTwo = new RawSession(`${two.url}/api/boards/${board}/sessions`, created.sid);
      const step1 = encodeSyncFrame(SYNC_STEP.STEP1, Y.encodeStateVector(new Y.Doc()));
      assert.equal((await viaTwo.post([step1])).status, 204, 'a POST through instance 2');
      const stream = viaTwo.stream();
      const reader = new Y.Doc();
      const read = () =>
        applyDocumentMessages(
          reader,
          stream.messages().map((e) => e.data),
        );
      await waitFor(() => (read(), readShapes(reader).length === 1), 10_000, 'the board via 2');
      addShapes(editor.doc, [rect('after', 2, 2)]);
      await waitFor(() => (read(), readShapes(reader).length === 2), 10_000, 'a live edit via 2');
      stream.close();

      const forged = new RawSession(`${two.url}/api/boards/${board}/sessions`, 'A'.repeat(22));
      assert.equal((await forged.post([step1])).status, 404, 'an unknown id is still refused');
    });
  },
);
