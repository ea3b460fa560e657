/**
 * Offline editing: edits made while the server is down stay in the page, are counted in the
 * status, and reach the others when the server is back.
 */
import {
  contentRefusals,
  drawWith,
  expect,
  renderedTypes,
  test,
  waitForConnected,
} from './fixtures.ts';

test("server stops, A draws, server restarts: A's shapes reach B", async ({
  openEditor,
  server,
  boardShapes,
}) => {
  test.setTimeout(90_000);
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');

  await server.close();
  await expect(alice.locator('#status')).toHaveAttribute('data-state', /waiting|connecting/);
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  await drawWith(alice, 'o', { x: 500, y: 200 }, { x: 600, y: 300 });
  await expect(alice.locator('#status')).toContainText('2 unsent changes');
  await expect(alice.locator('#status')).toContainText(/Offline/);

  await server.restart();
  // Backoff is capped at 10 s with full jitter, so reconnecting may take a few seconds.
  await waitForConnected(alice, 20_000);
  await expect.poll(() => renderedTypes(bob), { timeout: 20_000 }).toEqual(['ellipse', 'rect']);
  expect((await boardShapes()).map((shape) => shape.type).sort()).toEqual(['ellipse', 'rect']);
  await expect(alice.locator('#status .status-text')).toHaveText('Connected');
  // The reconnect went through at once: nothing was refused, held too long or trimmed.
  expect(await contentRefusals(server)).toEqual({});
});

test('a reload without a connection shows the board from IndexedDB, and edits made then sync later', async ({
  openEditor,
  boardShapes,
  server,
}) => {
  test.setTimeout(90_000);
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  await expect.poll(async () => (await boardShapes()).length).toBe(1);

  let online = false;
  await alice.routeWebSocket(/\/ws\//, (route) => {
    if (online) route.connectToServer();
    else void route.close({ code: 1001, reason: 'going away' });
  });
  // Offline for the HTTP fallback too (an HTTP session would otherwise carry the sync).
  await alice.route(/\/sessions/, (route) => (online ? route.continue() : route.abort()));
  await alice.reload();
  await expect(alice.locator('#status')).toHaveAttribute('data-state', /waiting|connecting/);
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);

  await drawWith(alice, 'o', { x: 500, y: 200 }, { x: 600, y: 300 });
  await expect(alice.locator('#status')).toContainText('1 unsent change');
  await alice.reload(); // the offline edit survives a second reload too
  await expect.poll(() => renderedTypes(alice)).toEqual(['ellipse', 'rect']);
  await expect(alice.locator('#status')).toContainText('1 unsent change');

  online = true; // the next retry (backoff with jitter, at most 10 s away) gets through
  await waitForConnected(alice, 20_000);
  await expect
    .poll(async () => (await boardShapes()).map((s) => s.type).sort())
    .toEqual(['ellipse', 'rect']);
  expect(await contentRefusals(server)).toEqual({});
});
