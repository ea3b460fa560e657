/**
 * Copy and paste through the system clipboard, as JSON, between two boards.
 */
import { addShapes } from '../../common/board/board-doc.ts';
import { rect } from '../helpers/shapes.ts';
import { expect, renderedShapes, renderedTypes, test, waitForConnected } from './fixtures.ts';

test('copy on one board and paste on another adds copies with new ids', async ({
  openEditor,
  stockClient,
  server,
}) => {
  const seed = await stockClient();
  addShapes(seed.doc, [{ ...rect('original', 300, 200), stroke: '#2f9e44' }]);
  const alice = await openEditor('Alice');
  await alice
    .context()
    .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);

  await alice.mouse.click(350, 225);
  await alice.keyboard.press('Control+c');
  const copied = await alice.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({
    type: 'boardcast/shapes',
    shapes: [{ id: 'original' }],
  });

  await alice.goto(`${server.url}/board/another-board?name=Alice`);
  await waitForConnected(alice);
  await alice.mouse.move(600, 400);
  await alice.keyboard.press('Control+v');
  await expect.poll(() => renderedTypes(alice)).toEqual(['rect']);
  const [pasted] = await renderedShapes(alice);
  expect(pasted?.id).not.toBe('original');
  // Centred under the pointer: the 100×50 rectangle (plus its stroke) around (600, 400).
  expect([Math.round(pasted!.x), Math.round(pasted!.y)]).toEqual([550, 375]);
});
