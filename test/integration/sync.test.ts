import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, getShapesMap, readShapes, updateShapes } from '../../common/board/board-doc.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, storedLogOf, type TestServer } from '../helpers/test-server.ts';

describe('sync through the server', () => {
  let server: TestServer;
  const clients: StockClient[] = [];
  const connect = (board: string) => {
    const client = connectStockClient(server.wsUrl, board);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  it('makes two stock clients converge', async () => {
    const a = connect('converge');
    const b = connect('converge');
    await Promise.all([a.synced, b.synced]);
    addShapes(a.doc, [rect('a1', 10, 20)]);
    addShapes(b.doc, [rect('b1', 30, 40)]);
    await waitFor(
      () => readShapes(a.doc).length === 2 && readShapes(b.doc).length === 2,
      5_000,
      'both shapes on both sides',
    );
    assert.deepEqual(readShapes(a.doc), readShapes(b.doc));
    assert.deepEqual(Y.encodeStateVector(a.doc), Y.encodeStateVector(b.doc));
  });

  it('lets two people change different fields of one shape and keeps both', async () => {
    const a = connect('fields');
    const b = connect('fields');
    await Promise.all([a.synced, b.synced]);
    addShapes(a.doc, [rect('s', 0, 0)]);
    await waitFor(() => readShapes(b.doc).length === 1, 5_000, 'shape on b');
    a.provider.disconnect(); // both edit "at once": neither sees the other's change first
    updateShapes(a.doc, new Map([['s', { x: 111 }]]));
    updateShapes(b.doc, new Map([['s', { fill: '#ffcc00' }]]));
    a.provider.connect();
    const both = (doc: Y.Doc) =>
      readShapes(doc)[0]?.x === 111 && readShapes(doc)[0]?.fill === '#ffcc00';
    await waitFor(() => both(a.doc) && both(b.doc), 5_000, 'both fields on both sides');
  });

  it('keeps a board across a server restart', async () => {
    const a = connect('restart');
    await a.synced;
    addShapes(a.doc, [rect('kept', 5, 6)]);
    await waitFor(
      async () => (await storedLogOf(server.server.context.store, 'restart')).updates.length > 0,
      5_000,
      'stored',
    );
    a.provider.disconnect();
    await server.restart();
    const fresh = connect('restart');
    await fresh.synced;
    assert.deepEqual(
      readShapes(fresh.doc).map((shape) => shape.id),
      ['kept'],
    );
  });

  it('never applies, stores or relays updates from a view-id connection', async () => {
    const editor = connect('readonly');
    await editor.synced;
    addShapes(editor.doc, [rect('original')]);
    const links = (await (await fetch(`${server.url}/api/boards/readonly/links`)).json()) as {
      viewId: string;
    };
    const viewer = connect(links.viewId);
    await viewer.synced;
    await waitFor(() => readShapes(viewer.doc).length === 1, 5_000, 'viewer receives the board');
    addShapes(viewer.doc, [rect('intruder')]);
    getShapesMap(viewer.doc).delete('original');
    addShapes(editor.doc, [rect('later')]);
    await waitFor(
      () => readShapes(viewer.doc).some((shape) => shape.id === 'later'),
      5_000,
      'viewer still receives',
    );
    const third = connect('readonly');
    await third.synced;
    assert.deepEqual(
      readShapes(third.doc)
        .map((shape) => shape.id)
        .sort(),
      ['later', 'original'],
    );
    assert.deepEqual(
      readShapes(editor.doc)
        .map((shape) => shape.id)
        .sort(),
      ['later', 'original'],
    );
  });

  it('relays a busy room once per tick: every edit arrives, in far fewer frames', async () => {
    const writers = Array.from({ length: 12 }, () => connect('busy'));
    const watcher = connect('busy');
    await Promise.all([...writers, watcher].map((client) => client.synced));
    writers.forEach((writer, i) => addShapes(writer.doc, [rect(`w${i}`, 0, 0)]));
    await waitFor(() => readShapes(watcher.doc).length === writers.length, 5_000, 'every shape');
    let framesSeen = 0; // the stock provider applies each frame in one transaction
    watcher.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === watcher.provider) framesSeen++;
    });
    // 12 writers at about 80 updates a second each (under RATE_UPDATES_PER_S), out of step so
    // that their updates reach the server one at a time: a busy room.
    const STEPS = 60;
    await Promise.all(
      writers.map(async (writer, i) => {
        await delay(i);
        for (let step = 1; step <= STEPS; step++) {
          updateShapes(writer.doc, new Map([[`w${i}`, { x: step }]]));
          await delay(12);
        }
      }),
    );
    const sent = STEPS * writers.length;
    await waitFor(
      () => readShapes(watcher.doc).every((shape) => shape.x === STEPS),
      5_000,
      "every writer's last edit",
    );
    assert.ok(framesSeen * 4 <= sent, `${framesSeen} frames for ${sent} updates`);
  });
});

describe('pages and links', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('redirects / to a new board with a random id of at least 96 bits', async () => {
    const response = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = response.headers.get('location') ?? '';
    assert.match(location, /^\/board\/[A-Za-z0-9_-]{16,64}$/);
    const second = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.notEqual(second.headers.get('location'), location);
  });

  it('gives an edit id its links, and refuses them to the view id', async () => {
    const links = (await (
      await fetch(`${server.url}/api/boards/team-retro/links`)
    ).json()) as Record<string, string>;
    assert.equal(links.editId, 'team-retro');
    assert.match(links.viewId ?? '', /^[A-Za-z0-9_-]{16,}$/);
    assert.equal(links.editUrl, `${server.url}/board/team-retro`);
    assert.equal(links.viewUrl, `${server.url}/view/${links.viewId}`);
    assert.ok(links.embedHtml?.startsWith(`<iframe src="${links.viewUrl}"`));
    const again = (await (
      await fetch(`${server.url}/api/boards/team-retro/links`)
    ).json()) as Record<string, string>;
    assert.equal(again.viewId, links.viewId);
    const byView = await fetch(`${server.url}/api/boards/${links.viewId}/links`);
    assert.equal(byView.status, 403);
    assert.ok(!(await byView.text()).includes('team-retro'));
  });

  it('answers 400 to invalid ids', async () => {
    for (const id of ['a.b', '%2F', 'a%00b', 'x'.repeat(65)]) {
      const response = await fetch(`${server.url}/api/boards/${id}/links`);
      assert.equal(response.status, 400, id);
    }
  });

  it('serves /healthz and Prometheus metrics', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'boardcast_connections',
      'boardcast_boards_loaded',
      'boardcast_messages_in_total',
      'boardcast_refusals_total',
      'boardcast_storage_commit_seconds',
    ]) {
      assert.ok(metrics.includes(name), name);
    }
  });
});
