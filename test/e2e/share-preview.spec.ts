/**
 * The share dialog shows the link preview: the board's PNG from the server (what the page's
 * `og:image` points at), with the shape just drawn in it.
 */
import { drawWith, expect, test } from './fixtures.ts';

test('the share dialog shows the board as a link preview', async ({ openEditor }) => {
  const page = await openEditor('Ann');
  await drawWith(page, 'r', { x: 300, y: 200 }, { x: 500, y: 320 });
  await expect.poll(() => page.evaluate(() => window.__boardcast.boardId)).toBeTruthy();
  await page.getByRole('button', { name: 'Share' }).click();
  const preview = page.locator('.share-dialog img.share-preview');
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  // The drawn rectangle is in it: the image is not one flat colour.
  const colours = await preview.evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(img, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set<string>();
    for (let i = 0; i < data.length; i += 4 * 97)
      seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  expect(colours).toBeGreaterThan(1);
});
