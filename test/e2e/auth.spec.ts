/**
 * JWT mode in a real browser (docs/auth.md): the editor syncs with the token from its URL and says
 * "Disconnected" (4401) without one; a short-lived token is refreshed from TOKEN_URL over the open
 * WebSocket, which stays open; the viewer's SSE stream ends with `event: expired`, and the viewer
 * renews its token and resumes with Last-Event-ID, missing no edit. Needs `npx vite build` first.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import type {} from '../../client/editor/test-hooks.ts';
import type {} from '../../client/viewer/viewer-hooks.ts';
import { metricValue, mint, TEST_SECRET } from '../helpers/auth.ts';
import { delay } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { drawWith, expect, test, waitForConnected } from './fixtures.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';

interface TokenClient {
  doc: Y.Doc;
  synced: Promise<void>;
  destroy(): void;
}

/** The stock y-websocket client, passing a token in `params`, like every JWT-mode client. */
function tokenClient(server: TestServer, boardId: string, token: string): TokenClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
    params: { token },
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', (isSynced: boolean) => isSynced && resolve());
  });
  return {
    doc,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** The board's shapes as the server holds them, through a fresh stock client with a token. */
async function serverShapes(server: TestServer, boardId: string): Promise<Shape[]> {
  const client = tokenClient(server, boardId, await mint(boardId, 'edit', 60));
  try {
    await client.synced;
    return readShapes(client.doc);
  } finally {
    client.destroy();
  }
}

/** Browser contexts (one per person) whose pages' uncaught errors are collected. */
function people(browser: Browser) {
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  return {
    errors,
    async open(name: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close();
    },
  };
}

const jwtEnv = (extra: Record<string, string> = {}) => ({ AUTH_SECRET: TEST_SECRET, ...extra });

test('the editor syncs with ?token= and, without one, says Disconnected (4401) and stops', async ({
  browser,
  boardId,
}) => {
  const server = await startTestServer({ env: jwtEnv() });
  const browsers = people(browser);
  try {
    const alice = await browsers.open('Alice');
    await alice.goto(
      `${server.url}/board/${boardId}?name=Alice&token=${await mint(boardId, 'edit')}`,
    );
    await waitForConnected(alice);
    await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
    await expect
      .poll(async () => (await serverShapes(server, boardId)).map((s) => [s.type, s.x, s.y]))
      .toEqual([['rect', 300, 200]]);

    // The same page without a token: refused before the upgrade, and the editor says why.
    const bob = await browsers.open('Bob');
    let sockets = 0;
    bob.on('websocket', () => sockets++);
    await bob.goto(`${server.url}/board/${boardId}?name=Bob`);
    const status = bob.locator('#status');
    await expect(status).toHaveAttribute('data-state', 'stopped');
    await expect(status).toContainText('Disconnected');
    await expect(status).toContainText('4401');
    const afterStop = sockets;
    await delay(3_000);
    expect(sockets, 'no new connection attempts once stopped').toBe(afterStop);
    expect(afterStop, 'gave up at once, not after a retry loop').toBeLessThanOrEqual(2);
    await expect(status).toHaveAttribute('data-state', 'stopped');
    expect(await bob.evaluate(() => window.__boardcast.shapeCount())).toBe(0);
  } finally {
    await browsers.close();
    await server.close();
  }
  expect(browsers.errors, 'uncaught page errors').toEqual([]);
});

test('a short-lived editor token is refreshed from TOKEN_URL and the WebSocket stays open', async ({
  browser,
  boardId,
}) => {
  const tokens: TokenServer = await startTokenServer({ ttlSeconds: 3 });
  const server = await startTestServer({
    env: jwtEnv({ AUTH_LEEWAY_S: '0', TOKEN_URL: tokens.url }),
  });
  tokens.allowOrigin = server.url;
  const browsers = people(browser);
  try {
    const page = await browsers.open('Alice');
    const sockets: { url: string; closed: boolean }[] = [];
    page.on('websocket', (ws) => {
      const entry = { url: ws.url(), closed: false };
      sockets.push(entry);
      ws.on('close', () => (entry.closed = true));
    });
    await page.goto(
      `${server.url}/board/${boardId}?name=Alice&token=${await mint(boardId, 'edit', 3)}`,
    );
    await waitForConnected(page);
    // Every status the page goes through from here on.
    await page.evaluate(() => {
      const seen: string[] = [window.__boardcast.status().state.kind];
      (window as unknown as { __statuses: string[] }).__statuses = seen;
      setInterval(() => {
        const kind = window.__boardcast.status().state.kind;
        if (seen[seen.length - 1] !== kind) seen.push(kind);
      }, 20);
    });
    await delay(6_500); // two token lifetimes: the first token and at least one fetched one expired
    await drawWith(page, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
    await expect
      .poll(async () => (await serverShapes(server, boardId)).map((s) => [s.type, s.x, s.y]))
      .toEqual([['rect', 300, 200]]);

    expect(tokens.calls.length, 'the token URL was asked, more than once').toBeGreaterThanOrEqual(
      2,
    );
    expect(tokens.calls[0]).toMatchObject({ board: boardId, role: 'edit', origin: server.url });
    const statuses = await page.evaluate(
      () => (window as unknown as { __statuses: string[] }).__statuses,
    );
    expect(statuses, 'the status never left Connected').toEqual(['connected']);
    expect(sockets.length, 'one WebSocket, never reopened').toBe(1);
    expect(sockets[0]?.closed, 'the WebSocket is still open').toBe(false);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metricValue(metrics, 'boardcast_token_refreshes_total')).toBeGreaterThanOrEqual(2);
    expect(
      new URL(page.url()).searchParams.get('token'),
      'the address bar has the fresh token',
    ).not.toBe(new URL(sockets[0]?.url ?? 'ws://x').searchParams.get('token'));
  } finally {
    await browsers.close();
    await server.close();
    await tokens.close();
  }
  expect(browsers.errors, 'uncaught page errors').toEqual([]);
});

test('the viewer renews an expired SSE token and resumes with Last-Event-ID, missing no edit', async ({
  browser,
  boardId,
}) => {
  // Token answers take a while, so edits land while the viewer has no stream.
  const tokens = await startTokenServer({ ttlSeconds: 3, delayMs: 300 });
  const server = await startTestServer({
    env: jwtEnv({ AUTH_LEEWAY_S: '0', TOKEN_URL: tokens.url }),
  });
  tokens.allowOrigin = server.url;
  const browsers = people(browser);
  const editor = tokenClient(server, boardId, await mint(boardId, 'edit'));
  try {
    await editor.synced;
    addShapes(editor.doc, [rect('seed')]);
    const links = await fetch(`${server.url}/api/boards/${boardId}/links`, {
      headers: { authorization: `Bearer ${await mint(boardId, 'edit')}` },
    });
    expect(links.status).toBe(200);
    const { viewId } = (await links.json()) as { viewId: string };

    const page = await browsers.open('Viewer');
    // Count what each EventSource receives: `expired` ends a stream, and a resumed stream
    // (Last-Event-ID) starts with a patch, not a second snapshot.
    await page.addInitScript(() => {
      const counts = { expired: [] as number[], snapshot: 0 };
      (window as unknown as { __sse: typeof counts }).__sse = counts;
      const Native = window.EventSource;
      window.EventSource = class extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('expired', () => counts.expired.push(Date.now()));
          this.addEventListener('snapshot', () => counts.snapshot++);
        }
      };
    });
    const streams: URL[] = [];
    const streamTimes: number[] = [];
    page.on('request', (request) => {
      if (!request.url().includes('/events')) return;
      streams.push(new URL(request.url()));
      streamTimes.push(Date.now());
    });
    await page.goto(`${server.url}/view/${viewId}?token=${await mint(viewId, 'view', 3)}`);
    const drawnIds = () =>
      page.evaluate(() => (window.__boardcastViewer?.drawnShapes() ?? []).map((s) => s.id).sort());
    await expect.poll(drawnIds).toEqual(['seed']);

    // A stock client edits all along, across at least two expiries.
    const ids = ['seed'];
    for (let i = 0; i < 45; i++) {
      const id = `s${String(i).padStart(2, '0')}`;
      ids.push(id);
      addShapes(editor.doc, [rect(id, (i % 10) * 120, Math.floor(i / 10) * 80)]);
      await delay(150);
    }
    await expect.poll(drawnIds).toEqual(ids.sort());

    const sse = await page.evaluate(
      () => (window as unknown as { __sse: { expired: number[]; snapshot: number } }).__sse,
    );
    expect(sse.expired.length, 'streams ended with event: expired').toBeGreaterThanOrEqual(2);
    // After each `expired`, the token URL was asked and the stream reopened only once it answered.
    for (const expiredAt of sse.expired) {
      const reopenedAt = streamTimes.find((at) => at >= expiredAt);
      expect(reopenedAt, 'reopened after expired').toBeDefined();
      expect(
        tokens.calls.some((call) => call.at >= expiredAt - 5 && call.at <= (reopenedAt ?? 0)),
        'a token fetched between expired and reopening',
      ).toBe(true);
      expect((reopenedAt ?? 0) - expiredAt, 'waited for the token URL').toBeGreaterThanOrEqual(250);
    }
    expect(sse.snapshot, 'resumed streams sent patches, not a fresh snapshot').toBe(1);
    expect(streams.length).toBeGreaterThanOrEqual(3);
    const [first, ...resumed] = streams;
    expect(first?.searchParams.get('lastEventId')).toBeNull();
    for (const url of resumed) expect(url.searchParams.get('lastEventId')).toMatch(/.+/);
    const used = new Set(streams.map((url) => url.searchParams.get('token')));
    expect(used.size, 'each reopen used a fresh token').toBe(streams.length);
    expect(tokens.calls.length).toBeGreaterThanOrEqual(2);
    expect(tokens.calls.every((call) => call.board === viewId && call.role === 'view')).toBe(true);
    expect(await page.evaluate(() => window.__boardcastViewer?.transport())).toBe('sse');
    await expect(page.locator('#live-dot')).toHaveAttribute('data-state', 'live');
  } finally {
    editor.destroy();
    await browsers.close();
    await server.close();
    await tokens.close();
  }
  expect(browsers.errors, 'uncaught page errors').toEqual([]);
});
