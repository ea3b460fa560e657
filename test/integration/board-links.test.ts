import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { GONE_MESSAGE } from '../../common/board/snapshot.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite-store.ts';
import {
  deleteBoard,
  getLinks,
  GoneWatcher,
  nextClose,
  rotated,
  rotateLink,
} from '../helpers/board-api.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { mint, TEST_SECRET, upgradeStatus } from '../helpers/auth.ts';
import {
  boardNamed,
  startTestServer,
  storedLogOf,
  type TestServer,
} from '../helpers/test-server.ts';

const GONE = CLOSE.GONE.code;

let server: TestServer;
const clients: StockClient[] = [];
const watchers: GoneWatcher[] = [];

before(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  for (const watcher of watchers.splice(0)) watcher.close();
});
after(() => server.close());

function editor(id: string, doc?: Y.Doc): StockClient {
  const client = connectStockClient(server.wsUrl, id, doc);
  clients.push(client);
  return client;
}

function watch(id: string): GoneWatcher {
  const watcher = new GoneWatcher(`${server.url}/api/boards/${id}/events`);
  watchers.push(watcher);
  return watcher;
}

/** A long poll that waits (the client is current) until the server answers. */
async function waitingPoll(id: string): Promise<{ status: number; body: unknown }> {
  const first = await fetch(`${server.url}/api/boards/${id}/poll`);
  const { version } = (await first.json()) as { version: string };
  const response = await fetch(`${server.url}/api/boards/${id}/poll?since=${version}`);
  return { status: response.status, body: await response.json().catch(() => null) };
}

const ids = (doc: Y.Doc) => readShapes(doc).map((shape) => shape.id);

describe('resetting a link', () => {
  it('closes everything that came by the old edit id at once, and nothing that came by the view id', async () => {
    const links = await getLinks(server.url, 'reset-edit');
    const [writer, other, reader] = [
      editor('reset-edit'),
      editor('reset-edit'),
      editor(links.viewId),
    ];
    await Promise.all([writer.synced, other.synced, reader.synced]);
    addShapes(writer.doc, [rect('before')]);
    await waitFor(() => ids(reader.doc).includes('before'), 5_000, 'the reader has the shape');
    const [byEdit, byView] = [watch('reset-edit'), watch(links.viewId)];
    await waitFor(() => byEdit.events > 0 && byView.events > 0, 5_000, 'both streams open');
    const poll = waitingPoll('reset-edit');
    const closes = [nextClose(writer), nextClose(other)];
    let readerClosed = false;
    reader.provider.on('connection-close', () => (readerClosed = true));

    const fresh = await rotated(server.url, 'reset-edit', 'edit');
    assert.notEqual(fresh.editId, 'reset-edit');
    assert.equal(fresh.viewId, links.viewId, 'the view link stays');
    assert.equal(fresh.editUrl.endsWith(`/board/${fresh.editId}`), true);
    for (const close of await Promise.all(closes)) assert.equal(close.code, GONE);
    await waitFor(() => byEdit.gone, 5_000, 'event: gone on the old id');
    assert.deepEqual(await poll, { status: 404, body: { error: GONE_MESSAGE } });

    // The rotator moves: the same doc, with an edit made while it was cut off, on the new id.
    writer.provider.destroy();
    addShapes(writer.doc, [rect('made-while-moving')]);
    const moved = editor(fresh.editId, writer.doc);
    await moved.synced;
    await waitFor(() => ids(reader.doc).includes('made-while-moving'), 5_000, 'nothing lost');
    assert.equal(readerClosed, false, 'the view-id reader was never closed');
    assert.equal(byView.gone, false);
    assert.deepEqual(ids(reader.doc).sort(), ['before', 'made-while-moving']);
  });

  it('answers 404 to the old id everywhere afterwards, and never makes a board of it', async () => {
    const links = await getLinks(server.url, 'reset-old');
    const first = editor('reset-old');
    await first.synced;
    addShapes(first.doc, [rect('kept')]);
    await waitFor(
      async () => (await storedLogOf(server.server.context.store, 'reset-old')).updates.length > 0,
    );
    await rotated(server.url, 'reset-old', 'edit');
    const gone = { error: GONE_MESSAGE };
    for (const route of ['', '/poll', '/links', '/export'])
      assert.deepEqual(
        await fetch(`${server.url}/api/boards/reset-old${route}`).then(async (r) => [
          r.status,
          await r.json(),
        ]),
        [404, gone],
        route,
      );
    assert.equal((await fetch(`${server.url}/api/boards/reset-old.svg`)).status, 404);
    const page = await fetch(`${server.url}/board/reset-old`);
    assert.equal(page.status, 404);
    assert.match(await page.text(), /This link was reset/);
    assert.equal((await rotateLink(server.url, 'reset-old', 'view')).status, 404);
    assert.equal((await deleteBoard(server.url, 'reset-old')).status, 404);
    const late = editor('reset-old');
    assert.equal(
      (await nextClose(late)).code,
      GONE,
      'a late join is closed, not given a new board',
    );
    assert.equal(await server.server.context.store.findBoard('reset-old'), null);
    assert.equal((await server.server.context.store.findBoard(links.viewId))?.role, 'view');
  });

  it('closes the view-id readers and streams when the view link is reset, and no editor', async () => {
    const links = await getLinks(server.url, 'reset-view');
    const [writer, reader] = [editor('reset-view'), editor(links.viewId)];
    await Promise.all([writer.synced, reader.synced]);
    const [byView, byEdit] = [watch(links.viewId), watch('reset-view')];
    await waitFor(() => byEdit.events > 0 && byView.events > 0, 5_000, 'both streams open');
    const readerClose = nextClose(reader);
    let writerClosed = false;
    writer.provider.on('connection-close', () => (writerClosed = true));
    const fresh = await rotated(server.url, 'reset-view', 'view');
    assert.equal(fresh.editId, 'reset-view');
    assert.notEqual(fresh.viewId, links.viewId);
    assert.equal((await readerClose).code, GONE);
    await waitFor(() => byView.gone, 5_000, 'event: gone for the old view id');
    const newReader = editor(fresh.viewId);
    await newReader.synced;
    addShapes(writer.doc, [rect('after-reset')]);
    await waitFor(() => ids(newReader.doc).includes('after-reset'), 5_000, 'the new view id reads');
    await delay(100);
    assert.equal(writerClosed, false);
    assert.equal(byEdit.gone, false);
    assert.equal((await fetch(`${server.url}/view/${links.viewId}`)).status, 404);
  });

  it('closes a join that looked the board up before the reset and joined after it', async () => {
    // Loads are slowed down, so the racers look up the old id, then wait in the load while the
    // reset commits; the room they join has the new ids.
    let slowLoads = false;
    const slow = await startTestServer({
      wrapStore: (store) => ({
        ...store,
        async boardByKey(key) {
          if (slowLoads) await delay(300);
          return store.boardByKey(key);
        },
      }),
    });
    try {
      await getLinks(slow.url, 'reset-race');
      slowLoads = true;
      const racers = Array.from({ length: 6 }, () => connectStockClient(slow.wsUrl, 'reset-race'));
      clients.push(...racers);
      const closes = racers.map((racer) => nextClose(racer));
      await delay(100); // looked up, now loading
      await rotated(slow.url, 'reset-race', 'edit');
      const codes = await Promise.race([Promise.all(closes), delay(5_000).then(() => [])]);
      assert.equal(codes.length, racers.length, 'every racer was closed');
      assert.deepEqual(new Set(codes.map((close) => close.code)), new Set([GONE]));
    } finally {
      for (const racer of clients.splice(0)) racer.destroy();
      await slow.close();
    }
  });

  it('is stored: after a restart the old id is still gone and the new one is the board', async () => {
    const first = editor('reset-restart');
    await first.synced;
    addShapes(first.doc, [rect('survives')]);
    await waitFor(
      async () =>
        (await storedLogOf(server.server.context.store, 'reset-restart')).updates.length > 0,
    );
    const fresh = await rotated(server.url, 'reset-restart', 'edit');
    first.provider.destroy();
    await server.restart();
    assert.equal((await fetch(`${server.url}/api/boards/reset-restart`)).status, 404);
    const snapshot = (await (await fetch(`${server.url}/api/boards/${fresh.editId}`)).json()) as {
      shapes: Array<{ id: string }>;
    };
    assert.deepEqual(
      snapshot.shapes.map((shape) => shape.id),
      ['survives'],
    );
  });

  it('refuses a view id (403), a bad body (400) and an unknown board (404)', async () => {
    const links = await getLinks(server.url, 'reset-refusals');
    assert.equal((await rotateLink(server.url, links.viewId, 'view')).status, 403);
    const bad = await fetch(`${server.url}/api/boards/reset-refusals/links/rotate`, {
      method: 'POST',
      body: '{"which":"both"}',
    });
    assert.equal(bad.status, 400);
    assert.equal((await rotateLink(server.url, 'reset-never-made', 'edit')).status, 404);
    assert.equal((await getLinks(server.url, 'reset-refusals')).viewId, links.viewId);
  });
});

describe('deleting a board', () => {
  it('closes every connection with 4404, removes every row, and its ids answer 404', async () => {
    const links = await getLinks(server.url, 'team-retro');
    const [writer, reader] = [editor('team-retro'), editor(links.viewId)];
    await Promise.all([writer.synced, reader.synced]);
    addShapes(writer.doc, [rect('doomed')]);
    await waitFor(() => ids(reader.doc).includes('doomed'), 5_000, 'relayed');
    const streams = [watch('team-retro'), watch(links.viewId)];
    await waitFor(() => streams.every((stream) => stream.events > 0), 5_000, 'streams open');
    const poll = waitingPoll(links.viewId);
    const closes = [nextClose(writer), nextClose(reader)];
    const key = (await server.server.context.store.findBoard('team-retro'))?.board.key;
    assert.ok(key);

    assert.equal((await deleteBoard(server.url, links.viewId)).status, 403);
    assert.equal((await deleteBoard(server.url, 'team-retro')).status, 204);
    for (const close of await Promise.all(closes)) assert.equal(close.code, GONE);
    await waitFor(() => streams.every((stream) => stream.gone), 5_000, 'every stream gone');
    assert.equal((await poll).status, 404);
    for (const id of ['team-retro', links.viewId])
      assert.equal((await fetch(`${server.url}/api/boards/${id}`)).status, 404, id);
    const loaded = await server.server.context.registry.loadedRooms();
    assert.ok(!loaded.some((room) => room.key === key), 'unloaded at once');

    const db = new Database(path.join(server.dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all();
      for (const { name } of tables) {
        const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
        const boardValues: string[] = [key, 'team-retro', links.viewId];
        const mentioning: Array<Record<string, unknown>> = rows.filter((row) =>
          Object.values(row).some((value) => boardValues.includes(String(value))),
        );
        assert.deepEqual(mentioning, [], `rows of the deleted board left in ${name}`);
      }
    } finally {
      db.close();
    }
  });

  it('lets the name be used again, for a new empty board', async () => {
    const first = editor('reused-name');
    await first.synced;
    addShapes(first.doc, [rect('old')]);
    const oldLinks = await getLinks(server.url, 'reused-name');
    await waitFor(
      async () =>
        (await storedLogOf(server.server.context.store, 'reused-name')).updates.length > 0,
    );
    const closed = nextClose(first);
    assert.equal((await deleteBoard(server.url, 'reused-name')).status, 204);
    await closed;
    first.provider.destroy();
    const fresh = editor('reused-name');
    await fresh.synced;
    assert.deepEqual(ids(fresh.doc), []);
    assert.notEqual((await getLinks(server.url, 'reused-name')).viewId, oldLinks.viewId);
  });
});

describe('in JWT mode', () => {
  let secured: TestServer;
  before(async () => {
    secured = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET } });
  });
  after(() => secured.close());

  it('resets a link only with an edit token for the board, and the old id takes its tokens with it', async () => {
    const board = await boardNamed(secured, 'jwt-reset');
    const rotate = (token?: string) => rotateLink(secured.url, 'jwt-reset', 'edit', token);
    assert.equal((await rotate()).status, 401);
    assert.equal((await rotate(await mint(board.viewId, 'view'))).status, 403);
    assert.equal((await rotate(await mint('another-board', 'edit'))).status, 403);
    const oldToken = await mint('jwt-reset', 'edit');
    const answer = await rotate(oldToken);
    assert.equal(answer.status, 200);
    const fresh = (await answer.json()) as { editId: string };
    const ws = (token: string) => `${secured.wsUrl}/${fresh.editId}?token=${token}`;
    assert.equal(await upgradeStatus(ws(oldToken)), 403, 'a token for the reset id is dead');
    assert.equal(await upgradeStatus(ws(await mint(board.viewId, 'edit'))), 101);
    assert.equal(await upgradeStatus(ws(await mint('*', 'edit'))), 101);
    const late = await fetch(`${secured.url}/api/boards/jwt-reset?token=${oldToken}`);
    assert.equal(late.status, 404, 'a good token on a reset id learns it was reset');
  });

  it('deletes only with an edit token, and imports only with an edit token for every board', async () => {
    const board = await boardNamed(secured, 'jwt-delete');
    const file = await fetch(
      `${secured.url}/api/boards/jwt-delete/export?token=${await mint('jwt-delete', 'edit')}`,
    );
    assert.equal(file.status, 200);
    const body = await file.text();
    const importWith = async (token: string) =>
      (await fetch(`${secured.url}/api/boards/import?token=${token}`, { method: 'POST', body }))
        .status;
    assert.equal(await importWith(await mint('jwt-delete', 'edit')), 403);
    assert.equal(await importWith(await mint('*', 'view')), 403);
    assert.equal(await importWith(await mint('*', 'edit')), 201);
    assert.equal(
      (await deleteBoard(secured.url, 'jwt-delete', await mint(board.viewId, 'view'))).status,
      403,
    );
    assert.equal(
      (await deleteBoard(secured.url, 'jwt-delete', await mint('jwt-delete', 'edit'))).status,
      204,
    );
  });
});
