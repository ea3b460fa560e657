import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { ROOT, spawnServerProcess, tempDataDir } from '../helpers/test-server.ts';
import { rect } from '../helpers/shapes.ts';

const SHAPE_COUNT = 300;

describe('the server process', () => {
  const clients: StockClient[] = [];
  after(() => clients.forEach((client) => client.destroy()));

  it('loses nothing it relayed when killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServerProcess(dataDir);
    const writer = connectStockClient(first.wsUrl, 'durable');
    const reader = connectStockClient(first.wsUrl, 'durable');
    clients.push(writer, reader);
    await Promise.all([writer.synced, reader.synced]);
    for (let i = 0; i < SHAPE_COUNT; i++) addShapes(writer.doc, [rect(`shape${i}`, i, i)]);
    await waitFor(
      () => readShapes(reader.doc).length === SHAPE_COUNT,
      15_000,
      'reader has every shape',
    );
    writer.provider.disconnect();
    reader.provider.disconnect();
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = await spawnServerProcess(dataDir);
    try {
      const fresh = connectStockClient(second.wsUrl, 'durable');
      clients.push(fresh);
      await fresh.synced;
      assert.equal(readShapes(fresh.doc).length, SHAPE_COUNT);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });

  it('closes peers with 1012 on SIGTERM and exits 0', async () => {
    const server = await spawnServerProcess(tempDataDir());
    const ws = new WebSocket(`${server.wsUrl}/leaving`);
    // Listening before 'open': the first frame can arrive in the same chunk as the upgrade.
    const joined = new Promise((resolve) => ws.once('message', resolve)); // sync step 1 arrived
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await joined;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    assert.equal(await closed, CLOSE.SERVER_RESTARTING.code);
    const exit = await server.exited;
    assert.equal(exit.code, 0);
  });

  it('refuses to start on an invalid setting, with one line naming it', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/main.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, PORT: 'eighty', DATA_DIR: tempDataDir() },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    assert.notEqual(result.status, 0);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /PORT="eighty"/);
  });
});
