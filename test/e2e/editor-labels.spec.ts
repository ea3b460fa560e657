/**
 * Labels (issue 11, item 2): Enter or a double-click edits the text of a rect, ellipse or sticky
 * note in place, centred and wrapped; a sticky note grows to fit; a double-click on an arrow
 * edits a label at its middle. Letters typed meanwhile never switch tools. The other person,
 * and the server's SVG, see every label.
 */
import type { Page } from '@playwright/test';
import type { Shape } from '../../common/board/shape.ts';
import { drawWith, expect, renderedTypes, test } from './fixtures.ts';

/** Two animation frames: whatever the page drew last is on screen (and in the hit canvas). */
function nextFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

/** The labels the page's canvas draws: text and the centre of its box on the page. */
function drawnLabels(page: Page) {
  return page.evaluate(() =>
    window.__boardcast
      .stage()
      .find('.label')
      .filter((node) => node.isVisible())
      .map((node) => {
        const box = node.getClientRect();
        const text = (node as unknown as { text(): string }).text(); // found by the .label name: a Konva.Text
        return { text, x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }),
  );
}

function one(shapes: Shape[], type: string): Shape | undefined {
  return shapes.find((shape) => shape.type === type);
}

async function activeTool(page: Page): Promise<string | undefined> {
  return page.locator('#canvas').evaluate((element) => (element as HTMLElement).dataset.tool);
}

test('labels in a rectangle, an ellipse, a sticky note and an arrow, seen by the other person', async ({
  openEditor,
  boardShapes,
  server,
  boardId,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const editor = alice.locator('textarea.text-editor');

  // Rectangle: drawn (and selected), Enter edits its label. "r" and "o" are typed, not tools.
  await drawWith(alice, 'r', { x: 300, y: 200 }, { x: 460, y: 300 });
  await alice.keyboard.press('Enter');
  await expect(editor).toBeVisible();
  await alice.keyboard.type('Start or retry');
  expect(await activeTool(alice)).toBe('select');
  await alice.keyboard.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect.poll(async () => one(await boardShapes(), 'rect')?.text).toBe('Start or retry');
  expect((await boardShapes()).length).toBe(1); // the letters drew nothing
  expect(await activeTool(alice)).toBe('select');

  // Ellipse: a double-click inside it.
  await drawWith(alice, 'o', { x: 600, y: 200 }, { x: 760, y: 300 });
  await alice.keyboard.press('Escape');
  await alice.mouse.dblclick(680, 250);
  await expect(editor).toBeVisible();
  await alice.keyboard.type('Decide');
  await alice.keyboard.press('Escape');
  await expect.poll(async () => one(await boardShapes(), 'ellipse')?.text).toBe('Decide');

  // Sticky note: a long text makes it grow.
  await alice.keyboard.press('n');
  await alice.mouse.click(1000, 250);
  await expect(editor).toBeVisible();
  await alice.keyboard.type(Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n'));
  await alice.keyboard.press('Escape');
  await expect.poll(async () => one(await boardShapes(), 'sticky')?.text).toContain('line 10');
  const sticky = one(await boardShapes(), 'sticky') as Shape;
  // Ten lines of 20 × 1.25 plus the padding: taller than the 200 it started at.
  expect(sticky.height).toBeGreaterThanOrEqual(10 * 25 + 24);

  // Arrow: a double-click at its middle (where the selected arrow's bend handle sits).
  await drawWith(alice, 'a', { x: 300, y: 500 }, { x: 600, y: 500 });
  await expect.poll(async () => (await renderedTypes(alice)).includes('arrow')).toBe(true);
  await nextFrames(alice); // Konva hit-tests what it has drawn
  await alice.mouse.dblclick(450, 500);
  await expect(editor).toBeVisible();
  await alice.keyboard.type('yes');
  await alice.keyboard.press('Escape');
  await expect.poll(async () => one(await boardShapes(), 'arrow')?.text).toBe('yes');
  expect(one(await boardShapes(), 'arrow')?.points).toEqual([0, 0, 300, 0]); // not bent

  // Bob sees every label, each centred where it belongs.
  const near = (label: { x: number; y: number }, x: number, y: number) =>
    Math.abs(label.x - x) < 3 && Math.abs(label.y - y) < 3;
  await expect
    .poll(async () => (await drawnLabels(bob)).map((label) => label.text).sort())
    .toEqual(['Decide', sticky.text, 'Start or retry', 'yes'].sort());
  const labels = await drawnLabels(bob);
  const at = (text: string) => labels.find((label) => label.text === text)!;
  expect(near(at('Start or retry'), 380, 250)).toBe(true);
  expect(near(at('Decide'), 680, 250)).toBe(true);
  expect(near(at('yes'), 450, 500)).toBe(true);
  expect(near(at(sticky.text), sticky.x + sticky.width / 2, sticky.y + sticky.height / 2)).toBe(
    true,
  );

  // And so does the server's SVG.
  const svg = await (await fetch(`${server.url}/api/boards/${boardId}.svg`)).text();
  for (const text of ['>retry<', '>Decide<', '>line 10<', '>yes<']) expect(svg).toContain(text);
});
