import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocket } from 'ws';
import { addShapes, readShapes, updateShapes } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import type { BoardStore } from '../../server/storage/board-store.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, storedLogOf, type TestServer } from '../helpers/test-server.ts';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function openRaw(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { autoPong: false });
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws)); // the server's sync step 1: the board is loaded
    ws.once('error', reject);
  });
}

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await delay(20);
  }
  return process.memoryUsage().heapUsed;
}

describe('room and connection lifecycle', () => {
  const servers: TestServer[] = [];
  const clients: StockClient[] = [];
  const start = async (options: Parameters<typeof startTestServer>[0]) => {
    const server = await startTestServer(options);
    servers.push(server);
    return server;
  };
  /** A stock client on `board`, synced (destroyed after the suite). */
  const joined = async (server: TestServer, board: string) => {
    const client = connectStockClient(server.wsUrl, board);
    clients.push(client);
    await client.synced;
    return client;
  };
  after(async () => {
    clients.forEach((client) => client.destroy());
    await Promise.all(servers.map((server) => server.close()));
  });

  it('terminates and frees a peer that stops answering pings', async () => {
    const server = await start({ env: { PING_INTERVAL_MS: '150' } });
    const ws = await openRaw(`${server.wsUrl}/silent`);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    assert.equal(await closed, 1006); // terminated, not closed politely
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /boardcast_connections\{transport="websocket"\} 0/);
    assert.match(metrics, /boardcast_refusals_total\{reason="missed_pong"\} 1/);
  });

  it('keeps a peer that answers every ping, across many intervals', async () => {
    const server = await start({ env: { PING_INTERVAL_MS: '100' } });
    const ws = new WebSocket(`${server.wsUrl}/answering`); // answers pings (autoPong)
    let pings = 0;
    ws.on('ping', () => pings++);
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    await delay(700);
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.ok(pings >= 5, `${pings} pings`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /reason="missed_pong"/);
    ws.close();
  });

  it('returns the heap to its baseline after 1,000 boards are opened and closed', async () => {
    const server = await start({ env: { ROOM_GRACE_MS: '0' } });
    const cycle = async (i: number) => {
      const ws = await openRaw(`${server.wsUrl}/churn-${i}`);
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
    };
    for (let i = 0; i < 50; i++) await cycle(i); // warm up code paths and caches
    await waitFor(
      () => server.server.context.registry.loadedCount === 0,
      5_000,
      'warm-up boards unloaded',
    );
    const baseline = await heapAfterGc();
    for (let i = 50; i < 1_050; i++) await cycle(i);
    await waitFor(
      () => server.server.context.registry.loadedCount === 0,
      10_000,
      'every board unloaded',
    );
    const grown = (await heapAfterGc()) - baseline;
    assert.ok(grown < 5 * 1_048_576, `heap grew by ${(grown / 1_048_576).toFixed(1)} MB`);
  });

  it('shares one load between concurrent joins of a board', async () => {
    let loads = 0;
    const server = await start({
      wrapStore: (store: BoardStore) => ({
        ...store,
        loadLog: (id) => (loads++, store.loadLog(id)),
      }),
    });
    const joiners = Array.from({ length: 20 }, () => connectStockClient(server.wsUrl, 'crowd'));
    clients.push(...joiners);
    await Promise.all(joiners.map((client) => client.synced));
    assert.equal(loads, 1);
  });

  it('refuses writes it cannot store, relays none of them, and keeps serving reads', async () => {
    let failing = false;
    const server = await start({
      wrapStore: (store: BoardStore) => ({
        ...store,
        appendUpdates: (id, updates) =>
          failing ? Promise.reject(new Error('disk full')) : store.appendUpdates(id, updates),
      }),
    });
    const writer = connectStockClient(server.wsUrl, 'full-disk');
    const reader = connectStockClient(server.wsUrl, 'full-disk');
    clients.push(writer, reader);
    await Promise.all([writer.synced, reader.synced]);
    addShapes(writer.doc, [rect('stored')]);
    await waitFor(() => readShapes(reader.doc).length === 1, 5_000, 'first shape relayed');
    failing = true;
    const closed = new Promise<number>((resolve) =>
      writer.provider.once('connection-close', (event: CloseEvent | null) =>
        resolve(event?.code ?? 0),
      ),
    );
    addShapes(writer.doc, [rect('lost')]);
    assert.equal(await closed, CLOSE.TRY_AGAIN_LATER.code);
    writer.provider.disconnect();
    await delay(200);
    assert.deepEqual(
      readShapes(reader.doc).map((shape) => shape.id),
      ['stored'],
    );
    const late = await joined(server, 'full-disk');
    assert.deepEqual(
      readShapes(late.doc).map((shape) => shape.id),
      ['stored'],
    );
  });

  it('compacts a long log into one state that loads the same board', async () => {
    const server = await start({ env: { COMPACT_AFTER_UPDATES: '10', ROOM_GRACE_MS: '0' } });
    const writer = await joined(server, 'long-log');
    const store = server.server.context.store;
    for (let i = 0; i < 50; i++) {
      addShapes(writer.doc, [rect(`s${i}`, i)]);
      await waitFor(async () => (await storedLogOf(store, 'long-log')).updates.length > 0, 2_000);
      await delay(5); // separate ticks: separate commits
    }
    await waitFor(
      async () => {
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        return /boardcast_compactions_total [1-9]/.test(metrics);
      },
      5_000,
      'a compaction',
    );
    const log = await storedLogOf(store, 'long-log');
    assert.ok(log.updates.length <= 11, `log has ${log.updates.length} entries`);
    writer.provider.disconnect();
    await server.restart();
    const fresh = await joined(server, 'long-log');
    assert.equal(readShapes(fresh.doc).length, 50);
  });

  it('leaves an unloaded board on disk as one state, below the compaction bounds', async () => {
    const server = await start({ env: { ROOM_GRACE_MS: '0' } });
    const writer = await joined(server, 'short-log');
    const store = server.server.context.store;
    for (let i = 0; i < 5; i++) {
      addShapes(writer.doc, [rect(`s${i}`, i)]);
      await waitFor(async () => (await storedLogOf(store, 'short-log')).updates.length > i, 2_000);
    }
    assert.equal((await storedLogOf(store, 'short-log')).updates.length, 5, 'one row per commit');
    writer.provider.disconnect();
    await waitFor(
      async () => (await storedLogOf(store, 'short-log')).updates.length === 1,
      5_000,
      'the log compacted when the board unloaded',
    );
    const reader = await joined(server, 'short-log');
    assert.equal(readShapes(reader.doc).length, 5);
  });

  it('does not rewrite a big board on unload for one small edit', async () => {
    const server = await start({ env: { ROOM_GRACE_MS: '0' } });
    const store = server.server.context.store;
    const unloaded = async () =>
      /boardcast_boards_loaded 0\b/.test(await (await fetch(`${server.url}/metrics`)).text());
    const seeder = await joined(server, 'big-log');
    addShapes(
      seeder.doc,
      Array.from({ length: 200 }, (_, i) => rect(`s${i}`, i, i)),
    );
    await waitFor(async () => (await storedLogOf(store, 'big-log')).updates.length === 1, 2_000);
    seeder.provider.disconnect();
    await waitFor(unloaded, 5_000, 'the board unloaded');

    const editor = await joined(server, 'big-log');
    updateShapes(editor.doc, new Map([['s0', { x: 500 }]]));
    await waitFor(async () => (await storedLogOf(store, 'big-log')).updates.length === 2, 2_000);
    editor.provider.disconnect();
    await waitFor(unloaded, 5_000, 'the board unloaded again');
    assert.equal((await storedLogOf(store, 'big-log')).updates.length, 2, 'kept as it was');
  });
});
