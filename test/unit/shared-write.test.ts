/**
 * Broadcasts framed once (server/transports/websocket/shared-write.ts, room/room-peers.ts): the
 * same bytes reach every real client, in order with frames sent one by one, and backpressure
 * still works (a reader behind skips presence; one that stops reading is closed with 1013).
 * Real ws servers on port 0 and real clients; nothing of the socket layer is faked.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { CloseCode } from '../../common/protocol/close-codes.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import type { Peer } from '../../server/room/peer.ts';
import { RoomPeers } from '../../server/room/room-peers.ts';
import { SharedFrame } from '../../server/room/shared-frame.ts';
import { WsTransport } from '../../server/transports/websocket/ws-connection.ts';
import { frameBinary, rawSocketOf } from '../../server/transports/websocket/shared-write.ts';

interface Client {
  ws: WebSocket;
  received: Buffer[];
  closed: Promise<number>;
}

interface Pair {
  server: WebSocket;
  client: Client;
}

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

/** A ws server on port 0 and `count` connected clients, each paired with its server socket. */
async function connect(count: number, options: ServerOptions = {}): Promise<Pair[]> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: false,
    ...options,
  });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const pairs: Pair[] = [];
  for (let index = 0; index < count; index++) {
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, {
      perMessageDeflate:
        options.perMessageDeflate !== undefined && options.perMessageDeflate !== false,
    });
    const received: Buffer[] = [];
    ws.on('message', (data) => received.push(data as Buffer));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    pairs.push({ server: await accepted, client: { ws, received, closed } });
  }
  return pairs;
}

const LIMITS = { maxBufferedBytes: 4 * 1_048_576, presenceBufferBytes: 256 * 1024 };

/** A room's view of a WebSocket peer, delegating as PeerSession does. */
function peerOf(ws: WebSocket, metrics: Metrics, id: number, limits = LIMITS): Peer {
  const transport = new WsTransport(ws, limits, metrics);
  return {
    id,
    role: 'view',
    viaId: 'board',
    send: (frame) => transport.send(frame),
    sendShared: (frame) => transport.sendShared(frame),
    sendPresence: (frame) => transport.sendPresence(frame),
    close: (close: CloseCode, detail?: string) => transport.close(close, detail),
  };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

describe('broadcast frames written once for every WebSocket', () => {
  it('frames a payload once per broadcast, as ws would frame it', () => {
    const payload = new Uint8Array(300).map((_, index) => index % 251);
    const shared = new SharedFrame(payload);
    const wire = shared.wire(frameBinary);
    assert.equal(shared.wire(frameBinary), wire, 'the second peer gets the same buffer');
    // FIN + binary, a 16-bit length (126), the payload unmasked.
    assert.deepEqual([...wire.subarray(0, 4)], [0x82, 126, 300 >> 8, 300 & 0xff]);
    assert.deepEqual(new Uint8Array(wire.subarray(4)), payload);
    assert.deepEqual([...frameBinary(new Uint8Array([7]))], [0x82, 1, 7]);
  });

  it('delivers identical bytes to many real clients, in order with frames sent one by one', async () => {
    const metrics = createMetrics();
    const pairs = await connect(40);
    const peers = new RoomPeers(metrics, () => null);
    pairs.forEach(({ server }, index) => peers.add(peerOf(server, metrics, index)));
    for (const { server } of pairs) assert.ok(rawSocketOf(server), 'frames go to the socket');
    const big = new Uint8Array(70_000).map((_, index) => index % 253); // a 64-bit length
    const except = [...peers][0] ?? null;
    for (const peer of peers) peer.send(new Uint8Array([1]));
    peers.broadcast(new Uint8Array([2, 2]));
    peers.broadcast(big, except);
    for (const peer of peers) peer.send(new Uint8Array([3]));
    peers.broadcastPresence(new Uint8Array([4, 4, 4]));
    await waitFor(
      () => pairs.every(({ client }, index) => client.received.length === (index === 0 ? 4 : 5)),
      'every frame',
    );
    pairs.forEach(({ client }, index) => {
      const expected = [[1], [2, 2], ...(index === 0 ? [] : [[...big]]), [3], [4, 4, 4]];
      assert.deepEqual(
        client.received.map((frame) => [...frame]),
        expected,
      );
    });
    const sent = (await metrics.messagesOut.get()).values[0]?.value;
    assert.equal(sent, 40 + 39 + 40, 'broadcasts are counted as before');
  });

  it('falls back to ws.send when permessage-deflate was negotiated', async () => {
    const metrics = createMetrics();
    const pairs = await connect(3, { perMessageDeflate: { threshold: 0 } });
    const peers = new RoomPeers(metrics, () => null);
    pairs.forEach(({ server }, index) => peers.add(peerOf(server, metrics, index)));
    assert.equal(rawSocketOf((pairs[0] ?? assert.fail('no pair')).server), null);
    const payload = new TextEncoder().encode('compressed like any other frame '.repeat(20));
    peers.broadcast(payload);
    await waitFor(() => pairs.every(({ client }) => client.received.length === 1), 'the frame');
    for (const { client } of pairs)
      assert.deepEqual(
        new Uint8Array(client.received[0] ?? assert.fail('nothing received')),
        payload,
      );
  });

  it("does not count a joiner's whole-board sync step 2 against the bound, only what follows it", async () => {
    const metrics = createMetrics();
    const [joiner] = await connect(1);
    const limits = { maxBufferedBytes: 1_048_576, presenceBufferBytes: 64 * 1024 };
    const peer = peerOf(joiner!.server, metrics, 1, limits);
    joiner!.client.ws.pause(); // a slow link: the state is still queued when edits come
    const state = new Uint8Array(6 * 1_048_576);
    state[0] = 0; // sync
    state[1] = 1; // step 2
    peer.send(state);
    assert.ok(joiner!.server.bufferedAmount > limits.maxBufferedBytes, 'the state is queued');
    const update = new Uint8Array(64 * 1024).fill(2);
    for (let sent = 0; sent < limits.maxBufferedBytes / 2; sent += update.length) peer.send(update);
    assert.equal(
      joiner!.server.readyState,
      WebSocket.OPEN,
      'edits after the state do not close it',
    );
    // Past the bound on top of the state: closed as any slow reader.
    for (let round = 0; round < 40 && joiner!.server.readyState === WebSocket.OPEN; round++)
      peer.send(update);
    assert.equal(joiner!.server.readyState, WebSocket.CLOSING, 'closed once behind by more');
    joiner!.client.ws.resume();
    assert.equal(await joiner!.client.closed, 1013);
  });

  it('skips presence for a reader that is behind, and closes one that stopped reading with 1013', async () => {
    const metrics = createMetrics();
    const [reading, stalled] = await connect(2);
    const limits = { maxBufferedBytes: 8 * 1_048_576, presenceBufferBytes: 64 * 1024 };
    const peers = new RoomPeers(metrics, () => new Uint8Array([9, 9]));
    peers.add(peerOf(reading!.server, metrics, 1, limits));
    peers.add(peerOf(stalled!.server, metrics, 2, limits));
    stalled!.client.ws.pause(); // it stops reading: only the server's send queue can grow
    const chunk = new Uint8Array(512 * 1024);
    for (let round = 0; round < 40 && stalled!.server.bufferedAmount <= 65_536; round++) {
      peers.broadcast(chunk);
      await delay(5);
    }
    assert.ok(stalled!.server.bufferedAmount > limits.presenceBufferBytes, 'it fell behind');
    peers.broadcastPresence(new Uint8Array([5]));
    assert.equal((await metrics.presenceSkipped.get()).values[0]?.value, 1);
    assert.equal(stalled!.server.readyState, WebSocket.OPEN, 'behind is not closed');
    for (let round = 0; round < 200 && stalled!.server.readyState === WebSocket.OPEN; round++)
      peers.broadcast(chunk);
    assert.equal(stalled!.server.readyState, WebSocket.CLOSING, 'closed for reading too slowly');
    const refusals = (await metrics.refusals.get()).values;
    assert.equal(refusals.find((v) => v.labels.reason === 'slow_reader')?.value, 1);
    stalled!.client.ws.resume();
    assert.equal(await stalled!.client.closed, 1013);
    // The reader that kept up got every frame, the presence frame included.
    await waitFor(
      () => reading!.client.received.some((frame) => frame.length === 1 && frame[0] === 5),
      'the presence frame',
    );
    assert.equal(
      reading!.client.received.filter((frame) => frame.length === chunk.length).length,
      reading!.client.received.length - 1,
    );
  });
});
