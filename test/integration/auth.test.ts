import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebsocketProvider } from 'y-websocket';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { TokenSession } from '../../client/auth/token-session.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { encodeTokenMessage } from '../../common/protocol/token-message.ts';
import { createBoardcastServer } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import type { BoardRecord } from '../../server/storage/board-store.ts';
import { delay, waitFor, type StockClient } from '../helpers/clients.ts';
import {
  metricValue,
  mint,
  nowSeconds,
  OTHER_SECRET,
  openRawSocket,
  TEST_SECRET,
  upgradeStatus,
} from '../helpers/auth.ts';
import { rect } from '../helpers/shapes.ts';
import {
  boardNamed,
  startTestServer,
  tempDataDir,
  type TestServer,
} from '../helpers/test-server.ts';

/**
 * Every route JWT mode guards, as data: the viewer routes join this list (`needs` is the role the
 * id in the path grants; `path` gets the board's two ids). A case passes when the request is not
 * refused by auth: any status below 400. Streams (SSE, long poll) are fine: only the status is read.
 */
interface GuardedCase {
  name: string;
  transport: 'http' | 'websocket';
  needs: 'edit' | 'view';
  path(board: BoardRecord): string;
}

const GUARDED: GuardedCase[] = [
  {
    name: 'GET /api/boards/<editId>/links',
    transport: 'http',
    needs: 'edit',
    path: (b) => `/api/boards/${b.editId}/links`,
  },
  {
    name: 'WebSocket /ws/<editId>',
    transport: 'websocket',
    needs: 'edit',
    path: (b) => `/ws/${b.editId}`,
  },
  {
    name: 'WebSocket /ws/<viewId>',
    transport: 'websocket',
    needs: 'view',
    path: (b) => `/ws/${b.viewId}`,
  },
  {
    name: 'GET /api/boards/<viewId>',
    transport: 'http',
    needs: 'view',
    path: (b) => `/api/boards/${b.viewId}`,
  },
  {
    name: 'GET /api/boards/<viewId>/events',
    transport: 'http',
    needs: 'view',
    path: (b) => `/api/boards/${b.viewId}/events`,
  },
  {
    name: 'GET /api/boards/<editId>/events',
    transport: 'http',
    needs: 'edit',
    path: (b) => `/api/boards/${b.editId}/events`,
  },
  {
    name: 'GET /api/boards/<viewId>/poll',
    transport: 'http',
    needs: 'view',
    path: (b) => `/api/boards/${b.viewId}/poll?timeout=1`,
  },
  {
    name: 'GET /api/boards/<viewId>.svg',
    transport: 'http',
    needs: 'view',
    path: (b) => `/api/boards/${b.viewId}.svg`,
  },
  {
    name: 'GET /api/boards/<editId>.svg',
    transport: 'http',
    needs: 'edit',
    path: (b) => `/api/boards/${b.editId}.svg`,
  },
];

type TokenPlace = 'query' | 'header';

function withQueryToken(path: string, token: string | null, place: TokenPlace): string {
  if (!token || place !== 'query') return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** A server with its own built pages (two tiny HTML files), to see what pages are served with. */
async function startPageServer(env: Record<string, string>) {
  const distDir = tempDataDir();
  for (const name of ['editor', 'viewer'])
    fs.writeFileSync(
      path.join(distDir, `${name}.html`),
      `<html><head><title>${name}</title></head></html>`,
    );
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: tempDataDir(),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = createBoardcastServer({ config, distDir });
  const port = await server.listen();
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('JWT mode', { timeout: 20_000 }, () => {
  let server: TestServer;
  let alpha: BoardRecord;
  let beta: BoardRecord;
  const clients: StockClient[] = [];

  /** The stock client with `?token=` in its params, exactly as the editor wires it. */
  const connect = (boardId: string, token: string | Record<string, string>) => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(server.wsUrl, boardId, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 200,
      params: typeof token === 'string' ? { token } : token,
    });
    const synced = new Promise<void>((resolve) =>
      provider.once('sync', (isSynced: boolean) => isSynced && resolve()),
    );
    const client: StockClient = {
      doc,
      provider,
      synced,
      destroy: () => (provider.destroy(), doc.destroy()),
    };
    clients.push(client);
    return client;
  };

  const status = async (
    guarded: GuardedCase,
    board: BoardRecord,
    token: string | null,
    place: TokenPlace = 'query',
  ) => {
    const path = withQueryToken(guarded.path(board), token, place);
    const headers: Record<string, string> =
      token && place === 'header' ? { authorization: `Bearer ${token}` } : {};
    if (guarded.transport === 'websocket')
      return upgradeStatus(`ws://127.0.0.1:${server.port}${path}`, headers);
    const controller = new AbortController();
    const response = await fetch(`${server.url}${path}`, {
      headers,
      signal: controller.signal,
      redirect: 'manual',
    });
    controller.abort(); // streams stay open otherwise; only the status matters
    return response.status;
  };

  before(async () => {
    server = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET, AUTH_LEEWAY_S: '0' } });
    alpha = await boardNamed(server, 'alpha');
    beta = await boardNamed(server, 'beta');
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  for (const guarded of GUARDED) {
    describe(guarded.name, () => {
      it('is refused with 401 without a token', async () => {
        assert.equal(await status(guarded, alpha, null), 401);
      });

      it('is refused with 401 with an expired, forged or malformed token', async () => {
        assert.equal(await status(guarded, alpha, await mint('alpha', 'edit', -5)), 401, 'expired');
        assert.equal(
          await status(guarded, alpha, await mint('alpha', 'edit', 600, OTHER_SECRET)),
          401,
          'forged',
        );
        assert.equal(await status(guarded, alpha, 'not.a.token'), 401, 'malformed');
        assert.equal(
          await status(guarded, alpha, await mint('alpha', 'edit', -5), 'header'),
          401,
          'expired, as a header',
        );
      });

      it('is refused with 403 with a token for another board', async () => {
        assert.equal(await status(guarded, alpha, await mint(beta.editId, 'edit')), 403);
        assert.equal(await status(guarded, alpha, await mint(beta.viewId, 'view'), 'header'), 403);
      });

      if (guarded.needs === 'edit') {
        it('is refused with 403 with a view token for the board', async () => {
          assert.equal(await status(guarded, alpha, await mint(alpha.editId, 'view')), 403);
          assert.equal(
            await status(guarded, alpha, await mint(alpha.viewId, 'view'), 'header'),
            403,
          );
        });
      }

      it('is served with the right token as ?token= or as a Bearer header, naming the board by either id or *', async () => {
        const good = [
          await mint(alpha.editId, guarded.needs),
          await mint(alpha.viewId, guarded.needs),
          await mint('*', guarded.needs),
          await mint(alpha.editId, 'edit'),
        ];
        for (const token of good) {
          assert.ok((await status(guarded, alpha, token, 'query')) < 400, 'query');
          assert.ok((await status(guarded, alpha, token, 'header')) < 400, 'header');
        }
      });
    });
  }

  it('keeps pages, assets and /healthz open, and refuses /api/ without a token', async () => {
    for (const path of [
      '/board/alpha',
      `/view/${alpha.viewId}`,
      '/assets/nothing.js',
      '/healthz',
      '/metrics',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      assert.ok(response.status !== 401 && response.status !== 403, `${path}: ${response.status}`);
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const unknownApi = await fetch(`${server.url}/api/boards/alpha/links`);
    assert.equal(unknownApi.status, 401);
    assert.equal(unknownApi.headers.get('www-authenticate'), 'Bearer');
    assert.equal(
      unknownApi.headers.get('access-control-allow-origin'),
      '*',
      'an embed can read the 401',
    );
  });

  it('creates boards at / only with an edit token for *, and passes the token on to the editor', async () => {
    const create = (token?: string) =>
      fetch(`${server.url}/${token ? `?token=${token}` : ''}`, { redirect: 'manual' });
    assert.equal((await create()).status, 401);
    assert.equal((await create(await mint('*', 'view'))).status, 403);
    assert.equal((await create(await mint('alpha', 'edit'))).status, 403);
    const token = await mint('*', 'edit');
    const created = await create(token);
    assert.equal(created.status, 302);
    assert.match(
      created.headers.get('location') ?? '',
      new RegExp(`^/board/[A-Za-z0-9_-]{16,}\\?token=${token}$`),
    );
  });

  it('lets an edit token for a new name create that board, and refuses a view token for it', async () => {
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/fresh-name?token=${await mint('fresh-name', 'view')}`),
      403,
    );
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/fresh-name?token=${await mint('fresh-name', 'edit')}`),
      101,
    );
  });

  it("keeps a socket open across three refreshes, past the first token's expiry", async () => {
    const opened = nowSeconds();
    const client = connect('alpha', await mint('alpha', 'edit', 2));
    const closes: number[] = [];
    client.provider.on('connection-close', (event: CloseEvent | null) =>
      closes.push(event?.code ?? 0),
    );
    await client.synced;
    for (let i = 0; i < 3; i++) {
      await delay(700);
      client.provider.ws?.send(encodeTokenMessage(await mint('alpha', 'edit', 2)));
    }
    await waitFor(
      () => Date.now() > (opened + 2) * 1_000 + 200,
      5_000,
      'the first token to expire',
    );
    assert.deepEqual(closes, []);
    const reader = connect(alpha.viewId, await mint('alpha', 'view'));
    await reader.synced;
    addShapes(client.doc, [rect('after-refreshes')]);
    await waitFor(
      () => readShapes(reader.doc).some((shape) => shape.id === 'after-refreshes'),
      5_000,
      'the write after three refreshes',
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metricValue(metrics, 'boardcast_token_refreshes_total') >= 3);
  });

  it('keeps the stock client connected past expiry with the client token session fetching from a token URL', async () => {
    const tokenServer = http.createServer((req, res) => {
      const board = new URL(req.url ?? '/', 'http://x').searchParams.get('board') ?? '';
      void mint(board, 'edit', 2).then((token) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token })),
      );
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    const session = new TokenSession({
      token: await mint('alpha', 'edit', 2),
      tokenUrl: `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}/token`,
    });
    const client = connect('alpha', session.params); // as the editor wires it
    session.attachSocket(() => client.provider.ws);
    session.start();
    const closes: number[] = [];
    client.provider.on('connection-close', (event: CloseEvent | null) =>
      closes.push(event?.code ?? 0),
    );
    await client.synced;
    await delay(3_200);
    session.stop();
    tokenServer.close();
    assert.deepEqual(closes, []);
    const reader = connect(alpha.viewId, await mint('alpha', 'view'));
    await reader.synced;
    addShapes(client.doc, [rect('session-kept')]);
    await waitFor(
      () => readShapes(reader.doc).some((shape) => shape.id === 'session-kept'),
      5_000,
      'the write after the session refreshed',
    );
  });

  it('stops writes at once when a refresh lowers the role to view', async () => {
    const board = await boardNamed(server, 'downgrade');
    const writer = connect('downgrade', await mint('downgrade', 'edit'));
    const reader = connect(board.viewId, await mint('downgrade', 'view'));
    await Promise.all([writer.synced, reader.synced]);
    addShapes(writer.doc, [rect('before')]);
    await waitFor(
      () => readShapes(reader.doc).length === 1,
      5_000,
      'the write before the downgrade',
    );
    // Same tick: the refresh frame goes first, the update right behind it.
    writer.provider.ws?.send(encodeTokenMessage(await mint('downgrade', 'view')));
    addShapes(writer.doc, [rect('while-view')]);
    await delay(300);
    assert.deepEqual(
      readShapes(reader.doc).map((shape) => shape.id),
      ['before'],
    );
    const fresh = connect(board.viewId, await mint('downgrade', 'view'));
    await fresh.synced;
    assert.deepEqual(
      readShapes(fresh.doc).map((shape) => shape.id),
      ['before'],
      'nothing stored either',
    );
    assert.ok(writer.provider.wsconnected, 'the connection goes on, read-only');
  });

  it('closes a socket whose token expires unrefreshed with 4401', async () => {
    const socket = await openRawSocket(
      `${server.wsUrl}/alpha?token=${await mint('alpha', 'edit', 2)}`,
    );
    const started = Date.now();
    assert.equal(await socket.closed, CLOSE.NOT_AUTHENTICATED.code);
    assert.ok(Date.now() - started < 2_500);
  });

  it('closes a socket refreshed with a token for another board with 4403, and with a bad token with 4401', async () => {
    const a = await openRawSocket(`${server.wsUrl}/alpha?token=${await mint('alpha', 'edit')}`);
    a.ws.send(encodeTokenMessage(await mint('beta', 'edit')));
    assert.equal(await a.closed, CLOSE.FORBIDDEN.code);
    const b = await openRawSocket(`${server.wsUrl}/alpha?token=${await mint('alpha', 'edit')}`);
    b.ws.send(encodeTokenMessage(await mint('alpha', 'edit', 600, OTHER_SECRET)));
    assert.equal(await b.closed, CLOSE.NOT_AUTHENTICATED.code);
  });

  it('answers a request with 2,000 headers and keeps serving (CVE-2024-37890)', async () => {
    const token = await mint('alpha', 'edit');
    const headers = Array.from({ length: 2_000 }, (_, i) => `h${i}: ${i}\r\n`).join('');
    const request =
      `GET /ws/alpha?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
      setTimeout(() => socket.destroy(), 2_000).unref();
    });
    assert.match(answer, /^HTTP\/1\.1 4\d\d /);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal(await upgradeStatus(`${server.wsUrl}/alpha?token=${token}`), 101);
  });
});

describe('allowed origins', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { ALLOWED_ORIGINS: 'https://app.example.com, https://intranet.example.com:8443' },
    });
  });
  after(() => server.close());

  it('refuses a cross-origin upgrade with 403 and accepts listed, same-origin and origin-less ones', async () => {
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/board`, { origin: 'https://evil.example.com' }),
      403,
    );
    assert.equal(await upgradeStatus(`${server.wsUrl}/board`, { origin: 'null' }), 403);
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/board`, { origin: 'https://app.example.com' }),
      101,
    );
    assert.equal(
      await upgradeStatus(`${server.wsUrl}/board`, { origin: 'https://intranet.example.com:8443' }),
      101,
    );
    assert.equal(await upgradeStatus(`${server.wsUrl}/board`, { origin: server.url }), 101);
    assert.equal(await upgradeStatus(`${server.wsUrl}/board`), 101);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'boardcast_refusals_total{reason="origin"}'), 2);
  });

  it('refuses edit requests from another origin with 403, and still answers them from listed ones', async () => {
    const foreign = await fetch(`${server.url}/api/boards/board/links`, {
      headers: { origin: 'https://evil.example.com' },
    });
    assert.equal(foreign.status, 403);
    const listed = await fetch(`${server.url}/api/boards/board/links`, {
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(listed.status, 200);
  });
});

describe('pages in JWT mode', () => {
  let page: { url: string; close(): Promise<void> };
  before(async () => {
    page = await startPageServer({
      AUTH_SECRET: TEST_SECRET,
      TOKEN_URL: 'https://login.example.com/boardcast/token?a=1&b=2',
      ALLOWED_ORIGINS: 'https://app.example.com',
    });
  });
  after(() => page.close());

  it('loads the editor and the viewer without a token and tells them the token URL', async () => {
    for (const path of ['/board/alpha', '/view/some-view-id']) {
      const response = await fetch(`${page.url}${path}`);
      assert.equal(response.status, 200, path);
      const html = await response.text();
      // In the head (the link-preview tags may follow it).
      assert.match(
        html,
        /<meta name="boardcast-token-url" content="https:\/\/login\.example\.com\/boardcast\/token\?a=1&amp;b=2" \/>(<meta [^>]*>)*<\/head>/,
      );
    }
  });

  it('lets the editor be framed by the allowed origins only', async () => {
    const editor = await fetch(`${page.url}/board/alpha`);
    assert.equal(
      editor.headers.get('content-security-policy'),
      "frame-ancestors 'self' https://app.example.com",
    );
    // Browsers obey frame-ancestors over the page's own X-Frame-Options when both are present.
    assert.equal(editor.headers.get('x-frame-options'), 'SAMEORIGIN');
    const viewer = await fetch(`${page.url}/view/some-view-id`);
    assert.equal(viewer.headers.get('content-security-policy'), null, 'the viewer embeds anywhere');
  });
});
