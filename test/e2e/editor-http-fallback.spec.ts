/**
 * Editors behind a proxy that refuses WebSocket upgrades (403, as corporate proxies and a stock
 * nginx do): they fall back to an HTTP session on their own, draw together, say "over HTTP",
 * and move back to WebSocket once upgrades pass again, without losing an edit.
 */
import type { Browser, Page } from '@playwright/test';
import { startUpgradeProxy, type UpgradeProxy } from '../helpers/upgrade-proxy.ts';
import { drawWith, expect, renderedTypes, test } from './fixtures.ts';

async function openBehind(browser: Browser, proxy: UpgradeProxy, boardId: string, name: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${proxy.url}/board/${boardId}?name=${name}`);
  return { page, errors, close: () => context.close() };
}

async function expectTransport(page: Page, transport: 'http' | 'websocket', timeout: number) {
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout });
  await expect(status).toHaveAttribute('data-transport', transport, { timeout });
}

test('two editors whose upgrades are refused draw together over HTTP, then move back to WebSocket', async ({
  browser,
  server,
  boardId,
  boardShapes,
}) => {
  test.setTimeout(90_000);
  const proxy = await startUpgradeProxy(server.port);
  const alice = await openBehind(browser, proxy, boardId, 'Alice');
  const bob = await openBehind(browser, proxy, boardId, 'Bob');
  try {
    for (const { page } of [alice, bob]) {
      await expectTransport(page, 'http', 20_000);
      await expect(page.locator('#status')).toContainText('Connected · over HTTP');
    }
    expect(proxy.refused).toBeGreaterThanOrEqual(4);

    await drawWith(alice.page, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
    await expect.poll(() => renderedTypes(bob.page), { timeout: 10_000 }).toEqual(['rect']);
    await drawWith(bob.page, 'o', { x: 600, y: 200 }, { x: 700, y: 300 });
    await expect
      .poll(() => renderedTypes(alice.page), { timeout: 10_000 })
      .toEqual(['ellipse', 'rect']);

    // Upgrades pass again: both move back, and edits made around the move all arrive.
    proxy.allowUpgrades = true;
    await drawWith(alice.page, 'p', { x: 300, y: 450 }, { x: 420, y: 520 });
    for (const { page } of [alice, bob]) await expectTransport(page, 'websocket', 30_000);
    await expect(alice.page.locator('#status')).not.toContainText('over HTTP');
    await drawWith(bob.page, 'r', { x: 600, y: 450 }, { x: 700, y: 550 });
    const expected = ['ellipse', 'pen', 'rect', 'rect'];
    for (const { page } of [alice, bob])
      await expect.poll(() => renderedTypes(page), { timeout: 10_000 }).toEqual(expected);
    await expect
      .poll(async () => (await boardShapes()).map((shape) => shape.type).sort())
      .toEqual(expected);
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  } finally {
    await alice.close();
    await bob.close();
    await proxy.close();
  }
});
