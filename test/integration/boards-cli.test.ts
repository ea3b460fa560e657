import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import type { BoardArchive } from '../../server/ops/board-archive.ts';
import { parseBoardsArgs } from '../../server/ops/boards-cli.ts';
import { SERVER_MARKER_FILE } from '../../server/ops/server-marker.ts';
import type { BoardRecord, BoardStore } from '../../server/storage/board-store.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../server/storage/sqlite-store.ts';
import { getLinks, nextClose } from '../helpers/board-api.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import {
  ROOT,
  spawnServerProcess,
  tempDataDir,
  type ServerProcess,
} from '../helpers/test-server.ts';

const DAY_MS = 86_400_000;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run boards -- …` (without npm) against `env`, feeding `input` on stdin. */
function boardsCli(args: string[], env: Record<string, string>, input = ''): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/ops/boards-cli.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', AUTH_SECRET: '', PORT: '1', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function ok(result: CliResult): string {
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const stores: BoardStore[] = [];
const clients: StockClient[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
after(() => Promise.all(stores.map((store) => store.close())));

/** A data dir with boards made directly in storage, one of them a year old. */
async function dataDirWithBoards(): Promise<{
  dataDir: string;
  store: BoardStore;
  boards: Record<string, BoardRecord>;
}> {
  const dataDir = tempDataDir();
  const store = openSqliteStore(dataDir);
  stores.push(store);
  const boards: Record<string, BoardRecord> = {};
  for (const name of ['fresh-board', 'old-board']) {
    const board = await store.ensureBoard(name);
    assert.ok(board);
    const doc = new Y.Doc();
    addShapes(doc, [rect(`${name}-a`), rect(`${name}-b`, 200)]);
    await store.appendUpdates(board.key, [Y.encodeStateAsUpdate(doc)]);
    boards[name] = board;
  }
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME));
  const yearAgo = Date.now() - 365 * DAY_MS;
  db.prepare('UPDATE boards SET created_at = ? WHERE board = ?').run(
    yearAgo,
    boards['old-board']?.key,
  );
  db.prepare('UPDATE updates SET at = ? WHERE board = ?').run(yearAgo, boards['old-board']?.key);
  db.close();
  return { dataDir, store, boards };
}

function shapeIdsOf(archive: BoardArchive): string[] {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Buffer.from(archive.state, 'base64'));
  return readShapes(doc).map((shape) => shape.id);
}

describe('npm run boards', () => {
  it('lists every board with its last change and size', async () => {
    const { dataDir } = await dataDirWithBoards();
    const text = ok(await boardsCli(['list'], { DATA_DIR: dataDir }));
    assert.match(text, /^EDIT ID\s+VIEW ID\s+LAST CHANGE\s+SIZE\s+CONNECTIONS/);
    assert.match(text, /old-board\s+\S+\s+\d{4}-\d\d-\d\dT/);
    assert.match(text, /fresh-board/);
    assert.match(text, /2 boards/);
    const listed = JSON.parse(
      ok(await boardsCli(['list', '--json'], { DATA_DIR: dataDir })),
    ) as Array<{
      editId: string;
      bytes: number;
      lastChangeAt: string;
      connections: unknown;
    }>;
    assert.deepEqual(listed.map((entry) => entry.editId).sort(), ['fresh-board', 'old-board']);
    assert.ok(listed.every((entry) => entry.bytes > 0));
    const old = listed.find((entry) => entry.editId === 'old-board');
    assert.ok(old && Date.now() - Date.parse(old.lastChangeAt) > 300 * DAY_MS);
  });

  it('reads an id that starts with "-" as the id, not as an option', () => {
    const editIdOf = (argv: string[]) => {
      const call = parseBoardsArgs(argv);
      return call === 'help' ? 'help' : call.editId;
    };
    assert.equal(editIdOf(['delete', '-aB3_x']), '-aB3_x');
    assert.equal(editIdOf(['export', '--server', 'http://127.0.0.1:1', '-aB3_x']), '-aB3_x');
    assert.equal(editIdOf(['delete', '--', '-aB3_x']), '-aB3_x');
    assert.equal(editIdOf(['delete', '-h']), 'help');
    assert.throws(() => parseBoardsArgs(['list', '-x']), /Unknown option/);
  });

  it('exports a board, imports it as a new one (or with its ids), and deletes', async () => {
    const { dataDir, store, boards } = await dataDirWithBoards();
    const env = { DATA_DIR: dataDir };
    const file = ok(await boardsCli(['export', 'fresh-board'], env));
    const archive = JSON.parse(file) as BoardArchive;
    assert.equal(archive.editId, 'fresh-board');
    assert.deepEqual(shapeIdsOf(archive).sort(), ['fresh-board-a', 'fresh-board-b']);

    const copy = JSON.parse(ok(await boardsCli(['import'], env, file))) as BoardRecord;
    assert.notEqual(copy.editId, 'fresh-board');
    const copied = await store.findBoard(copy.editId);
    assert.ok(copied);
    const reexported = JSON.parse(
      ok(await boardsCli(['export', copy.editId], env)),
    ) as BoardArchive;
    assert.deepEqual(shapeIdsOf(reexported).sort(), shapeIdsOf(archive).sort());

    const taken = await boardsCli(['import', '--keep-ids'], env, file);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /taken or was reset/);
    ok(await boardsCli(['delete', 'fresh-board'], env));
    assert.equal(await store.findBoard('fresh-board'), null);
    assert.deepEqual((await store.loadLog(boards['fresh-board']?.key ?? '')).updates, []);
    const restored = JSON.parse(
      ok(await boardsCli(['import', '--keep-ids'], env, file)),
    ) as BoardRecord;
    assert.deepEqual([restored.editId, restored.viewId], ['fresh-board', archive.viewId]);

    const refused = await boardsCli(['import'], env, '{"format":"boardcast-board","version":9}');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /version 9/);
    const viewDelete = await boardsCli(['delete', archive.viewId], env);
    assert.equal(viewDelete.code, 1, `a view id is refused: ${viewDelete.stderr}`);
    assert.equal((await boardsCli(['export'], env)).code, 2);
  });

  it('prunes idle boards: a dry run changes nothing, --yes deletes only those', async () => {
    const { dataDir, store } = await dataDirWithBoards();
    const env = { DATA_DIR: dataDir };
    const dry = ok(await boardsCli(['prune', '--idle-days', '30'], env));
    assert.match(dry, /would delete old-board/);
    assert.doesNotMatch(dry, /fresh-board/);
    assert.match(dry, /dry run, nothing deleted/);
    assert.ok(await store.findBoard('old-board'), 'the dry run deleted nothing');
    const done = ok(await boardsCli(['prune', '--idle-days', '30', '--yes'], env));
    assert.match(done, /deleted old-board/);
    assert.equal(await store.findBoard('old-board'), null);
    assert.ok(await store.findBoard('fresh-board'));
    assert.equal((await boardsCli(['prune'], env)).code, 2, '--idle-days is required');
  });

  it('deletes through a running server, which closes the board for everyone, and lists its connections', async () => {
    const dataDir = tempDataDir();
    const server = await spawnServerProcess(dataDir);
    servers.push(server);
    const links = await getLinks(server.url, 'live-board');
    const [writer, reader] = [
      connectStockClient(server.wsUrl, 'live-board'),
      connectStockClient(server.wsUrl, links.viewId),
    ];
    clients.push(writer, reader);
    await Promise.all([writer.synced, reader.synced]);
    addShapes(writer.doc, [rect('live')]);
    await waitFor(() => readShapes(reader.doc).length === 1, 5_000, 'relayed');

    const env = { DATA_DIR: dataDir };
    const listed = ok(await boardsCli(['list'], env));
    assert.match(listed, /live-board\s+\S+\s+\S+\s+\S+ \S+\s+2 \(1 edit, 1 read, 0 view\)/);
    const closes = [nextClose(writer), nextClose(reader)];
    ok(await boardsCli(['delete', 'live-board'], env));
    const closed = await Promise.race([Promise.all(closes), delay(5_000).then(() => [])]);
    assert.deepEqual(
      closed.map((close) => close.code),
      [CLOSE.GONE.code, CLOSE.GONE.code],
      'both connections closed',
    );
    assert.equal((await fetch(`${server.url}/api/boards/live-board`)).status, 404);
  });

  it('refuses to delete under a server that holds the data but does not answer', async () => {
    const dataDir = tempDataDir();
    const server = await spawnServerProcess(dataDir);
    servers.push(server);
    await getLinks(server.url, 'held-board');
    server.child.kill('SIGSTOP'); // alive, holding the marker, not answering
    try {
      const refused = await boardsCli(['delete', 'held-board'], { DATA_DIR: dataDir });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /does not answer/);
    } finally {
      // Killed while still stopped: resumed, it would still answer the DELETE waiting in its
      // socket and delete the board before the kill.
      server.child.kill('SIGKILL');
    }
    await server.exited;
    servers.splice(0);
    assert.ok(fs.existsSync(path.join(dataDir, SERVER_MARKER_FILE)), 'a killed server leaves it');
    ok(await boardsCli(['delete', 'held-board'], { DATA_DIR: dataDir }));
  });
});
