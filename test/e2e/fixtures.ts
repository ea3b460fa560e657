/**
 * Fixtures for the editor's browser tests. Each test gets its own real server (fresh data dir)
 * and a board id; `openEditor(name)` opens that board as one person, in a browser context of
 * their own (two contexts = two people). Every page's uncaught errors are collected and the
 * test fails if there were any. `boardShapes()` reads the board as the server has it, through
 * a stock y-websocket client, independent of any browser.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { readShapes } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
// The editor's window.__boardcast hooks, typed (the import declares them on Window).
import type {} from '../../client/editor/test-hooks.ts';
import { connectStockClient, type StockClient } from '../helpers/clients.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

export { expect };

export interface Point {
  x: number;
  y: number;
}

export interface Fixtures {
  /** Settings of the test's server (e.g. a short HISTORY_INTERVAL_MS); `test.use({ serverEnv })`. */
  serverEnv: Record<string, string>;
  server: TestServer;
  boardId: string;
  /**
   * Opens the board's editor as `name` (`?name=`), connected and ready; `null`: as a first-time
   * visitor, without `?name=` and with nothing remembered.
   */
  openEditor(name: string | null): Promise<Page>;
  /** A stock client on the board, for seeding and for reading what the server holds. */
  stockClient(): Promise<StockClient>;
  /** The board's valid shapes, as a fresh stock client syncs them from the server. */
  boardShapes(): Promise<Shape[]>;
}

export const test = base.extend<Fixtures>({
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use) => {
    const server = await startTestServer({ env: serverEnv });
    await use(server);
    await server.close();
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture needs from a destructured first argument
  boardId: async ({}, use, testInfo) => {
    await use(`e2e-${testInfo.testId.slice(0, 8)}-${Date.now().toString(36)}`);
  },
  openEditor: async ({ browser, server, boardId }, use) => {
    const errors: string[] = [];
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async (name) => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        acceptDownloads: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${name ?? 'guest'}: ${error.message}`));
      const query = name === null ? '' : `?name=${encodeURIComponent(name)}`;
      await page.goto(`${server.url}/board/${boardId}${query}`);
      await waitForConnected(page);
      return page;
    });
    for (const context of contexts) await context.close();
    expect(errors, 'uncaught page errors').toEqual([]);
  },
  stockClient: async ({ server, boardId }, use) => {
    const clients: StockClient[] = [];
    await use(async () => {
      const client = connectStockClient(server.wsUrl, boardId);
      clients.push(client);
      await client.synced;
      return client;
    });
    for (const client of clients) client.destroy();
  },
  boardShapes: async ({ server, boardId }, use) => {
    await use(async () => {
      const client = connectStockClient(server.wsUrl, boardId);
      try {
        await client.synced;
        return readShapes(client.doc);
      } finally {
        client.destroy();
      }
    });
  },
});

export async function waitForConnected(page: Page, timeout = 10_000): Promise<void> {
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'connected', { timeout });
}

/** Picks a tool by its key and drags from `from` to `to` (page coordinates) in small steps. */
export async function drawWith(page: Page, key: string, from: Point, to: Point): Promise<void> {
  await page.keyboard.press(key);
  await drag(page, from, to);
}

export async function drag(page: Page, from: Point, to: Point, steps = 8): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

/** What the page's canvas draws (the editor's test hook). */
export function renderedShapes(page: Page) {
  return page.evaluate(() => window.__boardcast.renderedShapes());
}

/** The types the page's canvas draws, sorted, for comparisons. */
export async function renderedTypes(page: Page): Promise<string[]> {
  return (await renderedShapes(page)).map((shape) => shape.type).sort();
}

/**
 * Refusals of what clients sent, by reason, from the server's /metrics: the gate's (gate_…),
 * held updates past their bounds (held_…), updates that threw (apply_failed), presence left out
 * or trimmed (presence_…, awareness_…), frames before a board loaded (pending_frames), and the
 * server's repairs of bad values (repair_…). The editor causes none of them (contract: "An
 * honest client is never closed for what it sends"; it keeps its own state within the limits).
 */
export async function contentRefusals(server: TestServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const refusals: Record<string, number> = {};
  for (const match of text.matchAll(/^boardcast_refusals_total\{reason="([^"]+)"\} (\S+)$/gm)) {
    const [, reason = '', count = '0'] = match;
    if (/^(gate_|held_|apply_failed|presence_too_many|awareness_|pending_frames)/.test(reason))
      refusals[reason] = Number(count);
  }
  const trimmed = /^boardcast_presence_trimmed_total\{action="([^"]+)"\} (\S+)$/gm;
  for (const [, action = '', count = '0'] of text.matchAll(trimmed))
    refusals[`presence_${action}`] = Number(count);
  // The editor keeps to the limits itself: the server never has to repair what it wrote.
  const repairs = /^boardcast_repairs_total\{action="([^"]+)"\} (\S+)$/gm;
  for (const [, action = '', count = '0'] of text.matchAll(repairs))
    refusals[`repair_${action}`] = Number(count);
  return refusals;
}
