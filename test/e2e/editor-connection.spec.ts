/**
 * The connection status and retry policy, with the WebSocket routed through the test so the
 * server's answers (a 44xx refusal, a dropped connection) can be chosen.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

async function openWithRoutedSocket(
  page: Page,
  url: string,
  onAttempt: (attempt: number, route: Parameters<Parameters<Page['routeWebSocket']>[1]>[0]) => void,
): Promise<() => number> {
  let attempts = 0;
  await page.routeWebSocket(/\/ws\//, (route) => onAttempt(++attempts, route));
  await page.goto(url);
  return () => attempts;
}

test('a 44xx close stops retrying and says why', async ({ page, server, boardId }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const attempts = await openWithRoutedSocket(
    page,
    `${server.url}/board/${boardId}?name=Alice`,
    (_, route) => {
      void route.close({ code: 4403, reason: 'forbidden' });
    },
  );
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-state', 'stopped');
  await expect(status).toContainText('forbidden (4403)');
  await page.waitForTimeout(2_500);
  expect(attempts()).toBe(1);
  expect(errors).toEqual([]);
});

test('a dropped connection is retried with backoff until it syncs', async ({
  page,
  server,
  boardId,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const attempts = await openWithRoutedSocket(
    page,
    `${server.url}/board/${boardId}?name=Alice`,
    (attempt, route) => {
      if (attempt <= 2) void route.close({ code: 1012, reason: 'server restarting' });
      else route.connectToServer();
    },
  );
  const status = page.locator('#status');
  await expect(status).toContainText(/Offline · reconnecting in \d+ s/);
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
  expect(attempts()).toBe(3);
  expect(errors).toEqual([]);
});
