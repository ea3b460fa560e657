/**
 * Images and pasted text on two real browsers (contract: "Board assets"; issue 11 items 5 and 7):
 * an image dropped in one editor is uploaded, placed at its natural size where it was dropped,
 * and drawn in the other editor, in the viewer and in the server's SVG; a file that is no image
 * is refused with a message; pasted plain text and pasted image files become shapes; export of
 * the selection only, PNG on a transparent background, and Copy as PNG.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { mint, TEST_SECRET } from '../helpers/auth.ts';
import { pngImage, sha256Hex } from '../helpers/images.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { contentRefusals, drawWith, expect, test, waitForConnected } from './fixtures.ts';

const RED = pngImage(200, 120, [220, 30, 30]);

/** Dispatches a drop of one file at a page point, as a person dragging it from elsewhere. */
async function dropFile(
  page: Page,
  at: { x: number; y: number },
  file: { name: string; type: string; bytes: Buffer },
): Promise<void> {
  await page.evaluate(
    ({ x, y, name, type, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type }));
      const target = document.elementFromPoint(x, y) ?? document.body;
      for (const kind of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(
          new DragEvent(kind, {
            bubbles: true,
            cancelable: true,
            clientX: x,
            clientY: y,
            dataTransfer: data,
          }),
        );
    },
    { ...at, name: file.name, type: file.type, base64: file.bytes.toString('base64') },
  );
}

/** Dispatches a paste carrying plain text and/or one file, as the system clipboard would. */
async function paste(page: Page, content: { text?: string; png?: Buffer }): Promise<void> {
  await page.evaluate(
    ({ text, base64 }) => {
      const data = new DataTransfer();
      if (text !== undefined) data.setData('text/plain', text);
      if (base64) {
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      }
      document.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    },
    { text: content.text, base64: content.png?.toString('base64') },
  );
}

/** The editor's colour at a page point, `[r, g, b, a]`, read from its Konva stage. */
function editorColourAt(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ({ x, y }) => {
      const stage = window.__boardcast.stage();
      const rect = stage.container().getBoundingClientRect();
      const context = stage.toCanvas({ pixelRatio: 1 }).getContext('2d');
      return context ? [...context.getImageData(x - rect.left, y - rect.top, 1, 1).data] : [];
    },
    { x, y },
  );
}

const isRed = (colour: number[]) =>
  colour.length === 4 && colour[0]! > 180 && colour[1]! < 80 && colour[2]! < 80;

test('an image dropped in one editor shows in the other, in the viewer and in the SVG', async ({
  openEditor,
  server,
  boardId,
  browser,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const dropAt = { x: 640, y: 420 };
  const boardPoint = await alice.evaluate(({ x, y }) => window.__boardcast.toBoard(x, y), dropAt);
  await dropFile(alice, dropAt, { name: 'red.png', type: 'image/png', bytes: RED });

  const assetId = sha256Hex(RED);
  const images = async (page: Page) =>
    (await page.evaluate(() => window.__boardcast.shapes())).filter((s) => s.type === 'image');
  await expect.poll(async () => (await images(alice)).length, { timeout: 10_000 }).toBe(1);
  const [image] = await images(alice);
  expect(image).toMatchObject({ assetId, width: 200, height: 120 });
  expect(image!.x + 100).toBeCloseTo(boardPoint.x, 0);
  expect(image!.y + 60).toBeCloseTo(boardPoint.y, 0);

  // Bob's editor draws the picture itself (red), not a frame in its place.
  await expect.poll(async () => (await images(bob)).length).toBe(1);
  const centre = await bob.evaluate(({ x, y }) => window.__boardcast.toPage(x, y), {
    x: image!.x + 100,
    y: image!.y + 60,
  });
  await expect.poll(async () => isRed(await editorColourAt(bob, centre.x, centre.y))).toBe(true);
  await expect.poll(async () => isRed(await editorColourAt(alice, dropAt.x, dropAt.y))).toBe(true);

  // The viewer, by the view id, fits the board: the image is in the middle of its canvas.
  const links = (await (await fetch(`${server.url}/api/boards/${boardId}/links`)).json()) as {
    viewUrl: string;
    viewId: string;
  };
  const viewerContext = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const viewer = await viewerContext.newPage();
  await viewer.goto(links.viewUrl);
  await expect
    .poll(() => viewer.evaluate(() => window.__boardcastViewer?.drawnShapes().length ?? 0))
    .toBe(1);
  const canvasCentre = await viewer.evaluate(() => {
    const rect = document.getElementById('canvas')!.getBoundingClientRect();
    return { x: Math.round(rect.width / 2), y: Math.round(rect.height / 2) };
  });
  await expect
    .poll(async () =>
      isRed(
        await viewer.evaluate(
          ({ x, y }) => window.__boardcastViewer?.colourAt(x, y) ?? [],
          canvasCentre,
        ),
      ),
    )
    .toBe(true);
  await viewerContext.close();

  // The server's SVG links the asset by the id it was asked by, and the link works.
  for (const id of [boardId, links.viewId]) {
    const svg = await (await fetch(`${server.url}/api/boards/${id}.svg`)).text();
    const href = `/api/boards/${id}/assets/${assetId}`;
    expect(svg).toContain(`<image href="${href}" width="200" height="120"`);
    const served = await fetch(`${server.url}${href}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
  }
  // The editor writes image shapes the server accepts as they are: nothing refused or repaired.
  expect(await contentRefusals(server)).toEqual({});
});

test('a dropped file that is no image is refused with a message and adds nothing', async ({
  openEditor,
}) => {
  const alice = await openEditor('Alice');
  await dropFile(
    alice,
    { x: 500, y: 400 },
    {
      name: 'notes.png',
      type: 'image/png',
      bytes: Buffer.from('<html>not an image</html>'),
    },
  );
  await expect(alice.locator('.toast')).toContainText('not a PNG, JPEG, GIF or WebP image');
  expect(await alice.evaluate(() => window.__boardcast.shapeCount())).toBe(0);
});

test('pasted plain text becomes a text shape, a pasted image an image, for both people', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await alice.mouse.move(500, 300);
  await paste(alice, { text: 'Hello from another app' });
  const texts = async (page: Page) =>
    (await page.evaluate(() => window.__boardcast.shapes())).filter((s) => s.type === 'text');
  await expect
    .poll(async () => (await texts(bob)).map((s) => s.text))
    .toEqual(['Hello from another app']);
  const [text] = await texts(alice);
  const pointer = await alice.evaluate(() => window.__boardcast.toBoard(500, 300));
  expect(text!.x + text!.width / 2).toBeCloseTo(pointer.x, 0);
  expect(await alice.evaluate(() => window.__boardcast.selection())).toEqual([text!.id]);

  await paste(alice, { png: pngImage(30, 20, [0, 0, 200]) });
  await expect
    .poll(async () => (await boardShapes()).map((s) => s.type).sort())
    .toEqual(['image', 'text']);
  const image = (await boardShapes()).find((s) => s.type === 'image');
  expect(image).toMatchObject({ width: 30, height: 20 });
});

async function fileMenu(page: Page, item: string): Promise<void> {
  await page.locator('#menu-button').click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** PNG size and the alpha of its top-left pixel, decoded by the browser. */
async function pngFacts(
  page: Page,
  png: Buffer,
): Promise<{ width: number; height: number; cornerAlpha: number }> {
  return page.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(
      await (await fetch(`data:image/png;base64,${base64}`)).blob(),
    );
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    if (!context) throw new Error('no 2d context for the exported PNG');
    context.drawImage(bitmap, 0, 0);
    return {
      width: bitmap.width,
      height: bitmap.height,
      cornerAlpha: context.getImageData(1, 1, 1, 1).data[3] ?? -1,
    };
  }, png.toString('base64'));
}

test('exports the selection only, on a transparent background, and copies it as a PNG', async ({
  openEditor,
}) => {
  const alice = await openEditor('Alice');
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 420, y: 300 });
  await drawWith(alice, 'r', { x: 700, y: 500 }, { x: 760, y: 540 });
  await expect.poll(() => alice.evaluate(() => window.__boardcast.shapeCount())).toBe(2);
  await alice.keyboard.press('v');
  await alice.mouse.click(360, 200); // the first rectangle's top edge
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection().length)).toBe(1);

  // The whole board first: both rectangles.
  const [whole] = await Promise.all([
    alice.waitForEvent('download'),
    fileMenu(alice, 'Export PNG'),
  ]);
  const wholeFacts = await pngFacts(alice, await readFile(await whole.path()));
  expect(wholeFacts.width).toBe(2 * (462 + 48));
  expect(wholeFacts.cornerAlpha).toBe(255);

  await alice.locator('#menu-button').click();
  await alice.locator('#export-selection-only').check();
  await alice.locator('#export-transparent').check();
  await expect(alice.locator('#file-menu')).toBeVisible(); // the options keep the menu open
  const [selected] = await Promise.all([
    alice.waitForEvent('download'),
    alice.getByRole('menuitem', { name: 'Export PNG' }).click(),
  ]);
  expect(selected.suggestedFilename()).toMatch(/-selection\.png$/);
  const facts = await pngFacts(alice, await readFile(await selected.path()));
  expect([facts.width, facts.height]).toEqual([2 * (122 + 48), 2 * (102 + 48)]);
  expect(facts.cornerAlpha).toBe(0);

  const svgDownload = await Promise.all([
    alice.waitForEvent('download'),
    fileMenu(alice, 'Export SVG'),
  ]);
  const svg = await readFile(await svgDownload[0].path(), 'utf8');
  expect(svg.match(/<rect /g)?.length).toBe(1); // one rectangle, no background

  await alice.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await fileMenu(alice, 'Copy as PNG');
  await expect(alice.locator('.toast')).toContainText('Copied as PNG');
  const copied = await alice.evaluate(async () => {
    const [item] = await navigator.clipboard.read();
    const blob = await item!.getType('image/png');
    const bitmap = await createImageBitmap(blob);
    return [bitmap.width, bitmap.height];
  });
  expect(copied).toEqual([2 * (122 + 48), 2 * (102 + 48)]);
});

test('in JWT mode the editor uploads with its edit token and the viewer loads images with its view token', async ({
  browser,
  boardId,
}) => {
  const server = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  try {
    const alice = await context.newPage();
    alice.on('pageerror', (error) => errors.push(error.message));
    await alice.goto(
      `${server.url}/board/${boardId}?name=Alice&token=${await mint(boardId, 'edit')}`,
    );
    await waitForConnected(alice);
    await dropFile(alice, { x: 640, y: 400 }, { name: 'red.png', type: 'image/png', bytes: RED });
    await expect.poll(async () => isRed(await editorColourAt(alice, 640, 400))).toBe(true);

    const board = await server.server.context.store.findBoard(boardId);
    const viewId = board!.board.viewId;
    const viewer = await context.newPage();
    await viewer.goto(`${server.url}/view/${viewId}?token=${await mint(viewId, 'view')}`);
    await expect
      .poll(() => viewer.evaluate(() => window.__boardcastViewer?.drawnShapes().length ?? 0))
      .toBe(1);
    const middle = await viewer.evaluate(() => {
      const rect = document.getElementById('canvas')!.getBoundingClientRect();
      return { x: Math.round(rect.width / 2), y: Math.round(rect.height / 2) };
    });
    await expect
      .poll(async () =>
        isRed(
          await viewer.evaluate(
            ({ x, y }) => window.__boardcastViewer?.colourAt(x, y) ?? [],
            middle,
          ),
        ),
      )
      .toBe(true);
  } finally {
    await context.close();
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('an image copied from one board and pasted on another brings its asset along', async ({
  openEditor,
  server,
  boardId,
  browser,
}) => {
  const alice = await openEditor('Alice');
  await dropFile(alice, { x: 640, y: 400 }, { name: 'red.png', type: 'image/png', bytes: RED });
  await expect.poll(() => alice.evaluate(() => window.__boardcast.selection().length)).toBe(1);
  const copied = await alice.evaluate(() => {
    const data = new DataTransfer();
    document.dispatchEvent(
      new ClipboardEvent('copy', { clipboardData: data, bubbles: true, cancelable: true }),
    );
    return data.getData('text/plain');
  });
  expect(copied).not.toContain('token');

  const other = `${boardId}-other`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const bob = await context.newPage();
    await bob.goto(`${server.url}/board/${other}?name=Bob`);
    await waitForConnected(bob);
    await bob.mouse.move(500, 350);
    await paste(bob, { text: copied });
    await expect.poll(async () => isRed(await editorColourAt(bob, 500, 350))).toBe(true);
    const served = await fetch(`${server.url}/api/boards/${other}/assets/${sha256Hex(RED)}`);
    expect(served.status).toBe(200);
  } finally {
    await context.close();
  }
});
