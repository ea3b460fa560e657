import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import pg from 'pg';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { deleteBoard, getLinks, GoneWatcher, nextClose, rotated } from '../helpers/board-api.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import {
  REDIS_URL,
  createTestDatabase,
  servicesUnavailable,
  randomChannelPrefix,
  servicesRequired,
  type TestDatabase,
} from '../helpers/services.ts';
import { pngImage, sha256Hex } from '../helpers/images.ts';
import { rect } from '../helpers/shapes.ts';
import {
  ROOT,
  spawnServerProcess,
  tempDataDir,
  type ServerProcess,
} from '../helpers/test-server.ts';

const unavailable = await servicesUnavailable();
if (unavailable) console.log(`scale-out-lifecycle.test.ts ${unavailable}`);

const GONE = CLOSE.GONE.code;
const CLOSE_WAIT_MS = 5_000;

/** The close codes of `closes`, or fewer entries when some did not come in time. */
async function closeCodes(closes: Array<Promise<{ code: number }>>): Promise<number[]> {
  const codes: number[] = [];
  await Promise.race([
    Promise.all(closes.map((close) => close.then(({ code }) => codes.push(code)))),
    delay(CLOSE_WAIT_MS),
  ]);
  return codes;
}

describe(
  'resetting links and deleting boards across instances',
  { skip: unavailable && !servicesRequired ? unavailable : false },
  () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let servers: ServerProcess[] = [];
    const clients: StockClient[] = [];
    const watchers: GoneWatcher[] = [];
    const one = () => servers[0] as ServerProcess;
    const two = () => servers[1] as ServerProcess;
    const client = (server: ServerProcess, id: string) => {
      const connected = connectStockClient(server.wsUrl, id);
      clients.push(connected);
      return connected;
    };
    const watch = (server: ServerProcess, id: string) => {
      const watcher = new GoneWatcher(`${server.url}/api/boards/${id}/events`);
      watchers.push(watcher);
      return watcher;
    };
    const fresh = () => `so-${randomBytes(4).toString('hex')}`;

    before(async () => {
      if (unavailable) throw new Error(`BOARDCAST_REQUIRE_SERVICES=1 but ${unavailable}`);
      database = await createTestDatabase();
      env = { DATABASE_URL: database.url, REDIS_URL, REDIS_CHANNEL_PREFIX: randomChannelPrefix() };
      servers = await Promise.all([1, 2].map(() => spawnServerProcess(tempDataDir(), env)));
    });
    afterEach(() => {
      for (const connected of clients.splice(0)) connected.destroy();
      for (const watcher of watchers.splice(0)) watcher.close();
    });
    after(async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((server) => server.exited));
      await database?.drop();
    });

    it('closes the old edit id on the other instance too, and leaves its view-id viewers', async () => {
      const board = fresh();
      const links = await getLinks(one().url, board);
      const [editor, reader] = [client(two(), board), client(two(), links.viewId)];
      await Promise.all([editor.synced, reader.synced]);
      const [byEdit, byView] = [watch(two(), board), watch(two(), links.viewId)];
      await waitFor(() => byEdit.events > 0 && byView.events > 0, 5_000, 'streams on instance 2');
      const editorClose = nextClose(editor);
      let readerClosed = false;
      reader.provider.on('connection-close', () => (readerClosed = true));

      const reset = await rotated(one().url, board, 'edit');
      assert.deepEqual(await closeCodes([editorClose]), [GONE]);
      await waitFor(() => byEdit.gone, CLOSE_WAIT_MS, 'event: gone on instance 2');
      assert.equal((await fetch(`${two().url}/api/boards/${board}`)).status, 404);

      const moved = client(two(), reset.editId);
      await moved.synced;
      addShapes(moved.doc, [rect('after-reset')]);
      await waitFor(
        () => readShapes(reader.doc).length === 1,
        5_000,
        'the view-id reader reads on',
      );
      assert.equal(readerClosed, false);
      assert.equal(byView.gone, false);
    });

    it('closes a view-id viewer on another instance when the view link is reset', async () => {
      const board = fresh();
      const links = await getLinks(one().url, board);
      const reader = client(two(), links.viewId);
      await reader.synced;
      const viewer = watch(two(), links.viewId);
      await waitFor(() => viewer.events > 0, 5_000, 'the stream on instance 2');
      const readerClose = nextClose(reader);
      await rotated(one().url, board, 'view');
      assert.deepEqual(await closeCodes([readerClose]), [GONE]);
      await waitFor(() => viewer.gone, CLOSE_WAIT_MS, 'event: gone on instance 2');
    });

    it('closes everyone on every instance when a board is deleted, and leaves no row in PostgreSQL', async () => {
      const board = fresh();
      const links = await getLinks(one().url, board);
      const editors = [client(one(), board), client(two(), board), client(two(), links.viewId)];
      await Promise.all(editors.map((editor) => editor.synced));
      addShapes((editors[0] as StockClient).doc, [rect('doomed')]);
      await waitFor(
        () => readShapes((editors[2] as StockClient).doc).length === 1,
        5_000,
        'relayed',
      );
      const viewer = watch(two(), links.viewId);
      await waitFor(() => viewer.events > 0, 5_000, 'the stream on instance 2');
      const key = await boardKey(board);
      const closes = editors.map((editor) => nextClose(editor));
      assert.equal((await deleteBoard(one().url, board)).status, 204);
      assert.deepEqual(await closeCodes(closes), [GONE, GONE, GONE]);
      await waitFor(() => viewer.gone, CLOSE_WAIT_MS, 'event: gone on instance 2');
      assert.deepEqual(await rowsMentioning([key, board, links.viewId]), []);
      for (const server of servers)
        assert.equal((await fetch(`${server.url}/api/boards/${links.viewId}`)).status, 404);
    });

    it('lets the operator CLI delete a board straight from PostgreSQL: Redis tells every instance', async () => {
      const board = fresh();
      const editors = [client(one(), board), client(two(), board)];
      await Promise.all(editors.map((editor) => editor.synced));
      const closes = editors.map((editor) => nextClose(editor));
      const result = await boardsCli(['delete', board], env);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await closeCodes(closes), [GONE, GONE]);
    });

    async function boardKey(editId: string): Promise<string> {
      const rows = await sql<{ board: string }>(
        'SELECT board FROM boardcast_board_ids WHERE id = $1',
        [editId],
      );
      assert.ok(rows[0]);
      return rows[0].board;
    }

    async function rowsMentioning(values: string[]): Promise<string[]> {
      const columns = await sql<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND data_type = 'text'`,
      );
      const found: string[] = [];
      for (const { table_name: table, column_name: column } of columns) {
        const rows = await sql(`SELECT 1 FROM "${table}" WHERE "${column}" = ANY($1::text[])`, [
          values,
        ]);
        if (rows.length > 0) found.push(`${table}.${column}`);
      }
      return found;
    }

    async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      const connection = new pg.Client({ connectionString: database.url });
      await connection.connect();
      try {
        return (await connection.query<T>(text, values)).rows;
      } finally {
        await connection.end();
      }
    }

    it('stores an image in PostgreSQL: uploaded on one instance, served by the other, deleted with the board', async () => {
      const id = fresh();
      const png = pngImage(6, 4, [1, 120, 240]);
      const upload = await fetch(`${one().url}/api/boards/${id}/assets`, {
        method: 'POST',
        body: new Uint8Array(png),
      });
      assert.equal(upload.status, 200);
      const { assetId } = (await upload.json()) as { assetId: string };
      assert.equal(assetId, sha256Hex(png));
      const links = await getLinks(two().url, id);
      const served = await fetch(`${two().url}/api/boards/${links.viewId}/assets/${assetId}`);
      assert.equal(served.status, 200);
      assert.deepEqual(new Uint8Array(await served.arrayBuffer()), new Uint8Array(png));
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const count = async () =>
          Number(
            (
              await client.query<{ n: string }>(
                'SELECT count(*) AS n FROM boardcast_assets WHERE asset_id = $1',
                [assetId],
              )
            ).rows[0]?.n,
          );
        assert.equal(await count(), 1);
        assert.equal((await deleteBoard(two().url, id)).status, 204);
        assert.equal(await count(), 0);
      } finally {
        await client.end();
      }
      assert.equal(
        (await fetch(`${one().url}/api/boards/${links.viewId}/assets/${assetId}`)).status,
        404,
      );
    });
  },
);

function boardsCli(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/ops/boards-cli.ts'), ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
}
