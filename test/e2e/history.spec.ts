/**
 * Board history in the browser: after half a board is deleted by mistake, the History panel
 * (main menu) lists the checkpoints with previews, and Restore brings the board back for
 * everyone; the other person keeps editing, and the restorer's undo takes the restore back.
 */
import { expect, drawWith, renderedTypes, test } from './fixtures.ts';

test.use({ serverEnv: { HISTORY_INTERVAL_MS: '300' } });

interface Listed {
  n: number;
  shapeCount: number;
  names: string[];
}

test('History lists checkpoints with previews; Restore in one browser reaches the other', async ({
  openEditor,
  server,
  boardId,
  boardShapes,
}) => {
  const history = async (): Promise<Listed[]> =>
    (
      (await (await fetch(`${server.url}/api/boards/${boardId}/history`)).json()) as {
        checkpoints: Listed[];
      }
    ).checkpoints;
  const ann = await openEditor('Ann');
  const bob = await openEditor('Bob');
  await drawWith(ann, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  await drawWith(ann, 'r', { x: 500, y: 200 }, { x: 620, y: 300 });
  await expect.poll(async () => (await history())[0]?.shapeCount, { timeout: 15_000 }).toBe(2);
  expect((await history())[0]?.names).toContain('Ann');

  // The mistake: everything deleted.
  await ann.keyboard.press('Escape');
  await ann.keyboard.press('Control+a');
  await ann.keyboard.press('Delete');
  await expect.poll(() => renderedTypes(bob)).toEqual([]);
  await expect.poll(async () => (await history())[0]?.shapeCount, { timeout: 15_000 }).toBe(0);

  await ann.locator('#menu-button').click();
  await ann.getByRole('menuitem', { name: 'History…' }).click();
  const items = ann.locator('#history-list .history-item');
  // At least: the board with both rectangles, and the empty board (drawing may span two).
  await expect.poll(() => items.count()).toBe((await history()).length);
  expect(await items.count()).toBeGreaterThanOrEqual(2);
  await expect(items.first()).toContainText('0 shapes');
  const before = items.filter({ hasText: '2 shapes' }).first();
  await expect(before).toContainText('Ann');
  // Its preview is the checkpoint's SVG, loaded.
  await expect
    .poll(() => before.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
  await before.getByRole('button', { name: 'Restore' }).click();
  await expect(ann.locator('.history-dialog')).toHaveCount(0);

  await expect.poll(() => renderedTypes(ann)).toEqual(['rect', 'rect']);
  await expect.poll(() => renderedTypes(bob)).toEqual(['rect', 'rect']);
  // Bob keeps working on the restored board.
  await drawWith(bob, 'o', { x: 300, y: 400 }, { x: 380, y: 470 });
  await expect.poll(() => renderedTypes(ann)).toEqual(['ellipse', 'rect', 'rect']);
  await expect
    .poll(async () => (await boardShapes()).map((shape) => shape.type).sort())
    .toEqual(['ellipse', 'rect', 'rect']);

  // The restore was Ann's own edit: her undo takes it back, and only it.
  await ann.keyboard.press('Escape');
  await ann.keyboard.press('Control+z');
  await expect.poll(() => renderedTypes(bob)).toEqual(['ellipse']);
  await expect.poll(() => renderedTypes(ann)).toEqual(['ellipse']);
});
