/**
 * Real servers for tests: in-process on port 0 (`startTestServer`), or a child process
 * (`spawnServerProcess`) for SIGKILL and SIGTERM tests. Each gets its own temporary data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createBoardcastServer,
  type BoardcastOptions,
  type BoardcastServer,
} from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import type { BoardRecord, BoardStore, StoredLog } from '../../server/storage/board-store.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'boardcast-test-'));
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/ws — the stock client's serverUrl. */
  wsUrl: string;
  port: number;
  dataDir: string;
  server: BoardcastServer;
  close(): Promise<void>;
  /** Closes and starts again on the same port with the same data. */
  restart(): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Wraps the default SQLite store (fault injection). */
  wrapStore?: (store: BoardStore) => BoardStore;
  /** Test hooks of the server (e.g. an update applier that throws). */
  testHooks?: BoardcastOptions['testHooks'];
}

function configFor(dataDir: string, port: number, env: Record<string, string> = {}) {
  return parseConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

async function boot(
  dataDir: string,
  port: number,
  options: TestServerOptions,
): Promise<{ server: BoardcastServer; port: number }> {
  const config = configFor(dataDir, port, options.env);
  const { openSqliteStore } = await import('../../server/storage/sqlite-store.ts');
  const base = openSqliteStore(config.dataDir, config.sqliteSynchronous);
  const server = createBoardcastServer({
    config,
    store: options.wrapStore ? options.wrapStore(base) : base,
    testHooks: options.testHooks,
  });
  return { server, port: await server.listen() };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  let current = await boot(dataDir, 0, options);
  const port = current.port;
  let open = true;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    server: current.server,
    async close() {
      if (!open) return;
      open = false;
      await current.server.close();
    },
    async restart() {
      await handle.close();
      current = await boot(dataDir, port, options);
      handle.server = current.server;
      open = true;
    },
  };
  return handle;
}

export interface ServerProcess {
  port: number;
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `server/main.ts` in a child process and waits until it listens. */
export async function spawnServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  port = 0,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      BOARDCAST_PRINT_PORT: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const boundPort = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /BOARDCAST_PORT=(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code }) =>
      reject(new Error(`server exited (${code}) before listening:\n${output}`)),
    );
    setTimeout(
      () => reject(new Error(`server did not listen within 20 s:\n${output}`)),
      20_000,
    ).unref();
  });
  return {
    port: boundPort,
    url: `http://127.0.0.1:${boundPort}`,
    wsUrl: `ws://127.0.0.1:${boundPort}/ws`,
    child,
    output: () => output,
    exited,
  };
}

/** The board with this edit id on `target`, created when missing (a test's name is never reset). */
export async function boardNamed(target: TestServer, editId: string): Promise<BoardRecord> {
  const board = await target.server.context.store.ensureBoard(editId);
  if (!board) throw new Error(`${editId} is a view id or a reset link`);
  return board;
}

/** The stored log of the board with this edit id (empty when there is no such board). */
export async function storedLogOf(store: BoardStore, editId: string): Promise<StoredLog> {
  const access = await store.findBoard(editId);
  return access ? store.loadLog(access.board.key) : { updates: [], bytes: 0 };
}
