import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, SHAPES_MAP_NAME } from '../../common/board/board-doc.ts';
import type { Snapshot } from '../../common/board/snapshot.ts';
import { ARCHIVE_FORMAT, type BoardArchive } from '../../server/ops/board-archive.ts';
import { getLinks, rotated, type Links } from '../helpers/board-api.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
/** IMPORT_KEEP_IDS=1 and a small size cap. */
let keeping: TestServer;
const clients: StockClient[] = [];
const MAX_IMPORT_BYTES = 64 * 1_024;

before(async () => {
  server = await startTestServer();
  keeping = await startTestServer({
    env: { IMPORT_KEEP_IDS: '1', MAX_IMPORT_BYTES: String(MAX_IMPORT_BYTES) },
  });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});
after(() => Promise.all([server.close(), keeping.close()]));

async function boardWith(target: TestServer, editId: string, shapes: number): Promise<Snapshot> {
  const client = connectStockClient(target.wsUrl, editId);
  clients.push(client);
  await client.synced;
  addShapes(
    client.doc,
    Array.from({ length: shapes }, (_, i) => rect(`s${i}`, i * 10, i, { fill: '#ffcc00' })),
  );
  // Deleted content must not come back on import.
  client.doc.getMap(SHAPES_MAP_NAME).delete('s0');
  const snapshotOf = () => fetch(`${target.url}/api/boards/${editId}`).then((r) => r.json());
  await waitFor(
    async () => ((await snapshotOf()) as Snapshot).shapes.length === shapes - 1,
    5_000,
    'the board stored',
  );
  return (await snapshotOf()) as Snapshot;
}

async function exportOf(target: TestServer, id: string): Promise<Response> {
  return fetch(`${target.url}/api/boards/${id}/export`);
}

function importInto(target: TestServer, body: string, query = ''): Promise<Response> {
  return fetch(`${target.url}/api/boards/import${query}`, { method: 'POST', body });
}

function archiveWith(fields: Partial<Record<keyof BoardArchive, unknown>>): string {
  const doc = new Y.Doc();
  addShapes(doc, [rect('fine')]);
  return JSON.stringify({
    format: ARCHIVE_FORMAT,
    version: 1,
    editId: 'archived-edit',
    viewId: 'archived-view',
    exportedAt: new Date().toISOString(),
    state: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'),
    assets: [],
    ...fields,
  });
}

describe('exporting and importing a board', () => {
  it('gives a board whose snapshot equals the original, under new ids', async () => {
    const original = await boardWith(server, 'exported', 40);
    const links = await getLinks(server.url, 'exported');
    const response = await exportOf(server, 'exported');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /exported\.boardcast\.json/);
    const file = await response.text();
    const archive = JSON.parse(file) as BoardArchive;
    assert.equal(archive.format, 'boardcast-board');
    assert.equal(archive.version, 1);
    assert.deepEqual([archive.editId, archive.viewId], ['exported', links.viewId]);
    assert.deepEqual(archive.assets, []);
    const key = (await server.server.context.store.findBoard('exported'))?.board.key;
    assert.ok(key && !file.includes(key), 'the internal key never leaves the server');

    const imported = await importInto(server, file);
    assert.equal(imported.status, 201);
    const copy = (await imported.json()) as Links;
    assert.ok(![copy.editId, copy.viewId].includes('exported'));
    assert.notEqual(copy.viewId, links.viewId);
    const snapshot = (await (
      await fetch(`${server.url}/api/boards/${copy.viewId}`)
    ).json()) as Snapshot;
    assert.deepEqual(snapshot.shapes, original.shapes);
    assert.equal(snapshot.shapes.length, 39);

    // The copy is a board like any other: editable, and independent of the original.
    const editor = connectStockClient(server.wsUrl, copy.editId);
    clients.push(editor);
    await editor.synced;
    addShapes(editor.doc, [rect('only-in-copy')]);
    await waitFor(async () => {
      const copied = (await (
        await fetch(`${server.url}/api/boards/${copy.editId}`)
      ).json()) as Snapshot;
      return copied.shapes.length === 40;
    });
    const again = (await (await fetch(`${server.url}/api/boards/exported`)).json()) as Snapshot;
    assert.deepEqual(again.shapes, original.shapes);
  });

  it('exports by the edit id only', async () => {
    const links = await getLinks(server.url, 'export-guarded');
    assert.equal((await exportOf(server, links.viewId)).status, 403);
    assert.equal((await exportOf(server, 'export-never-made')).status, 404);
  });

  it("keeps the file's ids only where the operator allows it, and never over a taken id", async () => {
    const file = archiveWith({ editId: 'kept-edit', viewId: 'kept-view' });
    assert.equal((await importInto(server, file, '?keepIds=1')).status, 403);
    const kept = await importInto(keeping, file, '?keepIds=1');
    assert.equal(kept.status, 201);
    assert.deepEqual(((await kept.json()) as Links).editId, 'kept-edit');
    assert.equal((await fetch(`${keeping.url}/api/boards/kept-view`)).status, 200);
    assert.equal((await importInto(keeping, file, '?keepIds=1')).status, 409);
    await rotated(keeping.url, 'kept-edit', 'edit');
    const reset = archiveWith({ editId: 'kept-edit', viewId: 'another-view' });
    assert.equal(
      (await importInto(keeping, reset, '?keepIds=1')).status,
      409,
      'a reset id stays dead',
    );
    assert.equal((await importInto(keeping, file)).status, 201, 'new ids need no permission');
  });

  it('checks a file like any input: 400 not a board file, 422 bad content, 413 too big', async () => {
    const outside = new Y.Doc();
    outside.getMap('elsewhere').set('x', 1);
    const cases: Array<[string, number]> = [
      ['not json', 400],
      ['[1, 2]', 400],
      [archiveWith({ format: 'excalidraw' }), 400],
      [archiveWith({ version: 2 }), 422],
      [archiveWith({ editId: 'bad id!' }), 422],
      [archiveWith({ viewId: 'archived-edit' }), 422],
      [archiveWith({ state: 'not base64 at all!' }), 422],
      [archiveWith({ state: Buffer.from([1, 2, 3, 250, 250]).toString('base64') }), 422],
      [archiveWith({ state: Buffer.from(Y.encodeStateAsUpdate(outside)).toString('base64') }), 422],
      [archiveWith({ assets: 'none' }), 422],
      [archiveWith({ state: 'A'.repeat(MAX_IMPORT_BYTES) }), 413],
    ];
    for (const [body, status] of cases) {
      const response = await importInto(keeping, body);
      assert.equal(response.status, status, body.slice(0, 80));
      assert.ok(((await response.json()) as { error: string }).error);
    }
    assert.equal((await importInto(keeping, archiveWith({}))).status, 201);
  });
});
