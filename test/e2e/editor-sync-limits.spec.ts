/**
 * The editor and the server's limits: the editor keeps what it sends within them (a huge
 * selection goes out in part, a text scaled past the largest font size is clamped), so the
 * server never has to refuse or repair it; and if the server ever refuses what the editor sent,
 * the editor stops retrying, says so and offers what can be done with the local copy.
 */
import type { Page } from '@playwright/test';
import { addShapes } from '../../common/board/board-doc.ts';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { rect } from '../helpers/shapes.ts';
import { contentRefusals, drawWith, expect, renderedTypes, test } from './fixtures.ts';

const SHAPES = 10_000;

test('Ctrl+A on a 10,000-shape board keeps the connection, and another page sees the selection', async ({
  openEditor,
  stockClient,
  server,
}) => {
  test.setTimeout(120_000);
  const seed = await stockClient();
  const columns = 100;
  addShapes(
    seed.doc,
    Array.from({ length: SHAPES }, (_, i) =>
      rect(`s${i}`, (i % columns) * 30, Math.floor(i / columns) * 30, { width: 20, height: 20 }),
    ),
  );
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await expect
    .poll(() => alice.evaluate(() => window.__boardcast.shapeCount()), { timeout: 30_000 })
    .toBe(SHAPES);
  await alice.keyboard.press('v');
  await alice.keyboard.press('Control+a');
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection().length)).toBe(SHAPES);
  const aliceAtBob = () =>
    bob.evaluate(() => {
      const peer = window.__boardcast.peers().find((candidate) => candidate.name === 'Alice');
      return peer ? { count: peer.selectionCount, sent: peer.selection.length } : null;
    });
  await expect.poll(async () => (await aliceAtBob())?.count, { timeout: 15_000 }).toBe(SHAPES);
  const seen = await aliceAtBob();
  expect(seen?.sent).toBeGreaterThan(0);
  expect(seen?.sent).toBeLessThan(SHAPES);
  // The selection stays, and so does the connection: moving the cursor keeps presence flowing.
  for (let i = 0; i < 10; i++) await alice.mouse.move(400 + i * 10, 300);
  await alice.waitForTimeout(1_000);
  await expect(alice.locator('#status')).toHaveAttribute('data-state', 'connected');
  expect(await alice.evaluate(() => window.__boardcast.status().state.kind)).toBe('connected');
  expect(await contentRefusals(server)).toEqual({});
});

test('a text resized past font size 1,000 is clamped to 1,000 and the connection stays', async ({
  openEditor,
  stockClient,
  server,
  boardShapes,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [
    // Wide enough for its glyph: a text narrower than one letter wraps to nothing.
    rect('big-text', 0, 0, { type: 'text', text: 'A', fontSize: 400, width: 600, height: 500 }),
  ]);
  const alice = await openEditor('Alice');
  await expect.poll(() => renderedTypes(alice)).toEqual(['text']);
  // Zoomed out to a quarter, so a drag within the page scales the text five times.
  await alice.evaluate(() => window.__boardcast.setViewport(100, 100, 0.25));
  await alice.keyboard.press('v');
  await alice.keyboard.press('Control+a'); // the only shape
  await expect
    .poll(() => alice.evaluate(() => window.__boardcast.selection()))
    .toEqual(['big-text']);
  // The transformer's bottom-right handle, where Konva draws it, in page coordinates.
  const corner = await alice.evaluate(() => {
    const stage = window.__boardcast.stage();
    const handle = stage.findOne('.bottom-right');
    if (!handle) throw new Error('no transformer handle');
    const box = stage.container().getBoundingClientRect();
    const center = handle
      .getAbsoluteTransform()
      .point({ x: handle.width() / 2, y: handle.height() / 2 });
    return { x: box.left + center.x, y: box.top + center.y };
  });
  const far = { x: corner.x + 600, y: corner.y + 500 };
  await alice.mouse.move(corner.x, corner.y);
  await alice.mouse.down();
  await alice.mouse.move(far.x, far.y, { steps: 10 });
  await alice.mouse.up();
  await expect
    .poll(async () => (await boardShapes())[0]?.fontSize)
    .toBe(SHAPE_LIMITS.MAX_FONT_SIZE);
  await expect(alice.locator('#status')).toHaveAttribute('data-state', 'connected');
  expect(await contentRefusals(server)).toEqual({});
});

/** Routes the page's WebSocket: `onAttempt` decides each connection attempt's fate. */
async function routeSocket(
  page: Page,
  onAttempt: (attempt: number, route: Parameters<Parameters<Page['routeWebSocket']>[1]>[0]) => void,
): Promise<() => number> {
  let attempts = 0;
  await page.routeWebSocket(/\/ws\//, (route) => onAttempt(++attempts, route));
  return () => attempts;
}

test('a refusal of what the editor sent stops retrying, says so, and offers to export or drop the unsent changes', async ({
  page,
  server,
  boardId,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  let refuse = true;
  const attempts = await routeSocket(page, (_, route) => {
    if (!refuse) return void route.connectToServer();
    // Whatever the editor sends first, the "server" answers with a refusal of it.
    route.onMessage(
      () => void route.close({ code: 1008, reason: 'over a documented limit: test' }),
    );
  });
  await page.goto(`${server.url}/board/${boardId}?name=Alice`);
  await drawWith(page, 'r', { x: 300, y: 200 }, { x: 400, y: 300 });
  const status = page.locator('#status');
  await expect(status).toHaveAttribute('data-state', 'refused');
  await expect(status).toContainText('(1008)');
  await expect(status).toContainText('kept on this device');
  await page.waitForTimeout(2_500);
  expect(attempts()).toBe(1);

  const download = page.waitForEvent('download');
  await status.getByRole('button', { name: 'Export a copy' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${boardId}-local-copy.json`);

  refuse = false;
  await status.getByRole('button', { name: 'Drop unsent changes' }).click();
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
  await expect.poll(() => renderedTypes(page)).toEqual([]);
  expect(errors).toEqual([]);
});
