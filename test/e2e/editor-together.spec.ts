/**
 * Working together (issue 12): a first visit draws at once, others see shapes while they are
 * drawn, follow mode, the laser pointer, and the wheel.
 */
import type { Page } from '@playwright/test';
import { drag, expect, renderedShapes, renderedTypes, test } from './fixtures.ts';

test('a first visit (no ?name=) presses R and drags: a rectangle, no dialog; the name is offered on the avatar', async ({
  openEditor,
  boardShapes,
}) => {
  const guest = await openEditor(null);
  await expect(guest.locator('dialog[open]')).toHaveCount(0);
  const self = guest.locator('#avatars .avatar.is-self');
  await expect(self).toHaveAttribute('title', /^Guest \d{3} \(you\)$/);
  await expect(guest.locator('.name-hint')).toContainText('Click your avatar to rename');

  await guest.keyboard.press('r');
  await drag(guest, { x: 400, y: 300 }, { x: 560, y: 420 });
  await expect.poll(() => renderedTypes(guest)).toEqual(['rect']);
  await expect.poll(async () => (await boardShapes()).map((s) => s.type)).toEqual(['rect']);
  const [shape] = await boardShapes();
  expect(shape?.width).toBeGreaterThan(100);
  await expect(guest.locator('dialog[open]')).toHaveCount(0);

  // Renaming: click one's own avatar, type, Enter; remembered for the next visit.
  await self.click();
  const input = guest.getByLabel('Your name');
  await input.fill('Grace Hopper');
  await input.press('Enter');
  await expect(self).toHaveAttribute('title', 'Grace Hopper (you)');
  await expect(self).toHaveText('GH');
  await guest.reload();
  await expect(guest.locator('#avatars .avatar.is-self')).toHaveAttribute(
    'title',
    'Grace Hopper (you)',
  );
  await expect(guest.locator('.name-hint')).toHaveCount(0);
  expect(await renderedShapes(guest)).toHaveLength(1);
});

test('the wheel pans (Shift: sideways), Ctrl+wheel zooms about the pointer, the buttons step through round zooms', async ({
  openEditor,
}) => {
  const page = await openEditor('Alice');
  const view = () => page.evaluate(() => window.__boardcast.viewport());
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, 120);
  await expect.poll(view).toEqual({ x: 0, y: -120, zoom: 1 });
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 100);
  await page.keyboard.up('Shift');
  await expect.poll(async () => (await view()).x).toBe(-100);
  expect((await view()).zoom).toBe(1);

  // Ctrl+wheel zooms in, keeping the board point under the pointer where it was.
  const under = await page.evaluate(() => window.__boardcast.toBoard(640, 400));
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  await expect.poll(async () => (await view()).zoom).toBeGreaterThan(1.3);
  const after = await page.evaluate(() => window.__boardcast.toBoard(640, 400));
  expect(after.x).toBeCloseTo(under.x, 3);
  expect(after.y).toBeCloseTo(under.y, 3);

  // The buttons: from an in-between zoom to the next round one, then step by step.
  const label = page.locator('#zoom-reset');
  await page.locator('#zoom-in').click();
  await expect(label).toHaveText('150%');
  await page.locator('#zoom-in').click();
  await expect(label).toHaveText('200%');
  for (const expected of ['150%', '100%', '50%', '25%', '10%', '10%']) {
    await page.locator('#zoom-out').click();
    await expect(label).toHaveText(expected);
  }

  // The help says so: the wheel pans, Ctrl+wheel and pinch zoom, the steps are round.
  await page.keyboard.press('?');
  const help = page.locator('dialog.help-dialog');
  const row = (what: string) => help.locator(`dt:text-is("${what}") + dd`);
  await expect(row('Pan')).toHaveText(/Wheel.*Two-finger scroll/);
  await expect(row('Pan sideways')).toHaveText('Shift wheel');
  await expect(row('Zoom')).toHaveText(/wheel.*Pinch/);
  await expect(help).toContainText('10, 25, 50, 100, 150, 200, 300, 400 %');
});

test('the other browser sees a rectangle, a pen stroke and a text while they are drawn; Escape leaves nothing', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const bobSees = () => bob.evaluate(() => window.__boardcast.shapes());

  // A rectangle, mouse still down: Bob sees it, then sees it grow.
  await alice.keyboard.press('r');
  await alice.mouse.move(300, 300);
  await alice.mouse.down();
  await alice.mouse.move(360, 340, { steps: 5 });
  await expect.poll(async () => (await bobSees()).map((s) => s.type)).toEqual(['rect']);
  await alice.mouse.move(500, 420, { steps: 5 });
  await expect.poll(async () => (await bobSees())[0]?.width).toBe(200);
  // Escape abandons it: gone for Bob and on the server, and nothing to undo.
  await alice.keyboard.press('Escape');
  await alice.mouse.up();
  await expect.poll(async () => (await bobSees()).length).toBe(0);
  await expect.poll(async () => (await boardShapes()).length).toBe(0);
  await expect(alice.locator('#undo-button')).toBeDisabled();

  // A pen stroke: Bob sees its points grow before the mouse is released.
  await alice.keyboard.press('p');
  await alice.mouse.move(300, 500);
  await alice.mouse.down();
  await alice.mouse.move(340, 520, { steps: 4 });
  await expect.poll(async () => (await bobSees()).map((s) => s.type)).toEqual(['pen']);
  const early = (await bobSees())[0]?.points.length ?? 0;
  await alice.mouse.move(420, 480, { steps: 6 });
  await expect.poll(async () => (await bobSees())[0]?.points.length ?? 0).toBeGreaterThan(early);
  await alice.mouse.up();
  // The whole stroke is one undo step.
  await alice.keyboard.press('Control+z');
  await expect.poll(async () => (await bobSees()).length).toBe(0);
  await alice.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await bobSees()).map((s) => s.type)).toEqual(['pen']);

  // A text: Bob reads it while Alice is still typing (the text editor is open).
  await alice.keyboard.press('t');
  await alice.mouse.click(700, 300);
  await alice.keyboard.type('Hel');
  await expect.poll(async () => (await bobSees()).find((s) => s.type === 'text')?.text).toBe('Hel');
  await alice.keyboard.type('lo');
  await expect
    .poll(async () => (await bobSees()).find((s) => s.type === 'text')?.text)
    .toBe('Hello');
  await expect(alice.locator('textarea.text-editor')).toBeVisible();
  await alice.keyboard.press('Escape');
  await expect(alice.locator('textarea.text-editor')).toHaveCount(0);
  await expect
    .poll(async () => (await boardShapes()).map((s) => [s.type, s.text]).sort())
    .toEqual([
      ['pen', ''],
      ['text', 'Hello'],
    ]);
  // Typing the text was one undo step.
  await alice.keyboard.press('Control+z');
  await expect.poll(async () => (await bobSees()).map((s) => s.type)).toEqual(['pen']);
});

test("clicking Alice's avatar follows her pans and zooms; Escape stops following", async ({
  openEditor,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const viewOf = (page: Page) =>
    page.evaluate(() => {
      const hooks = window.__boardcast;
      const center = hooks.toBoard(640, 400);
      return { x: center.x, y: center.y, zoom: hooks.viewport().zoom };
    });
  const sameView = async () => {
    const [a, b] = [await viewOf(alice), await viewOf(bob)];
    return (
      Math.abs(a.x - b.x) < 2 && Math.abs(a.y - b.y) < 2 && Math.abs(a.zoom / b.zoom - 1) < 0.01
    );
  };

  await bob.locator('#avatars .avatar[title="Alice"]').click();
  await expect(bob.locator('#follow-frame')).toBeVisible();
  await expect(bob.locator('#follow-frame')).toContainText('Following Alice');

  // Alice pans (wheel) and zooms (Ctrl+wheel): Bob's view goes where hers is.
  await alice.mouse.move(300, 300);
  await alice.mouse.wheel(400, 250);
  await expect.poll(sameView).toBe(true);
  await alice.keyboard.down('Control');
  await alice.mouse.wheel(0, -400);
  await alice.keyboard.up('Control');
  await expect.poll(async () => (await viewOf(alice)).zoom).toBeCloseTo(2, 3);
  await expect.poll(sameView).toBe(true);
  expect((await viewOf(bob)).zoom).toBeCloseTo(2, 2);

  // Escape stops following: Alice pans on, Bob stays where he was.
  await bob.keyboard.press('Escape');
  await expect(bob.locator('#follow-frame')).toBeHidden();
  const stayed = await viewOf(bob);
  await alice.mouse.wheel(-600, 0);
  await expect.poll(async () => (await viewOf(alice)).x).toBeLessThan(stayed.x - 200);
  await bob.waitForTimeout(300); // long enough for a follow to have moved Bob's view
  expect(await viewOf(bob)).toEqual(stayed);

  // Following again, then panning oneself also stops it.
  await bob.locator('#avatars .avatar[title="Alice"]').click();
  await expect.poll(sameView).toBe(true);
  await bob.mouse.move(640, 400);
  await bob.mouse.wheel(0, 200);
  await expect(bob.locator('#follow-frame')).toBeHidden();
});

test("the laser (K) draws a fading trail in Alice's colour on Bob's page, never on the board", async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const aliceColor = await alice.evaluate(() => localStorage.getItem('boardcast.color'));
  await alice.keyboard.press('k');
  await alice.mouse.move(300, 300);
  await alice.mouse.down();
  await alice.mouse.move(500, 400, { steps: 10 });
  // Bob sees the trail while Alice holds the button, in her colour, near her pointer.
  await expect
    .poll(() => bob.evaluate(() => window.__boardcast.laserHeads()))
    .toEqual([{ color: aliceColor, x: expect.any(Number), y: expect.any(Number) }]);
  await expect
    .poll(async () => {
      const [head] = await bob.evaluate(() => window.__boardcast.laserHeads());
      return Math.hypot((head?.x ?? 0) - 500, (head?.y ?? 0) - 400);
    })
    .toBeLessThan(1);
  const peers = await bob.evaluate(() => window.__boardcast.peers());
  expect(peers[0]?.laser.length).toBeGreaterThanOrEqual(4);
  await alice.mouse.up();
  // It fades out by itself, and the board never held it.
  await expect.poll(() => bob.evaluate(() => window.__boardcast.laserHeads())).toEqual([]);
  await expect.poll(() => alice.evaluate(() => window.__boardcast.laserHeads())).toEqual([]);
  expect(await boardShapes()).toEqual([]);
  expect(await alice.evaluate(() => window.__boardcast.shapeCount())).toBe(0);
  await expect(alice.locator('#undo-button')).toBeDisabled();
});

test('a shape whose drawer is gone mid-gesture (tab closed) leaves nothing behind', async ({
  openEditor,
  boardShapes,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  await alice.keyboard.press('p');
  await alice.mouse.move(300, 300);
  await alice.mouse.down();
  await alice.mouse.move(400, 360, { steps: 6 });
  await expect
    .poll(() => bob.evaluate(() => window.__boardcast.shapes().map((s) => s.type)))
    .toEqual(['pen']);
  await alice.close(); // mid-stroke, the button still down
  await expect.poll(() => bob.evaluate(() => window.__boardcast.shapeCount())).toBe(0);
  expect(await boardShapes()).toEqual([]);
});

test('a long, fast pen stroke stays within the rate limits: about 60 updates a second, nobody refused', async ({
  openEditor,
  server,
}) => {
  const alice = await openEditor('Alice');
  const bob = await openEditor('Bob');
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
  };
  const messagesIn = () => metric(/^boardcast_messages_in_total (\S+)$/gm);
  const refusals = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const found = text.matchAll(/^boardcast_refusals_total\{reason="([^"]+)"\} (\S+)$/gm);
    // Stock clients echo others' presence back; the server skips those entries and counts them
    // (presence_foreign_id, README "Choices"): not a refusal of anything this editor sent.
    const mine = [...found].filter(([, reason]) => reason !== 'presence_foreign_id');
    return Object.fromEntries(mine.map(([, reason, count]) => [reason, Number(count)]));
  };
  await alice.keyboard.press('p');
  await alice.mouse.move(200, 200);
  const before = await messagesIn();
  const started = Date.now();
  await alice.mouse.down();
  // Pointer events as fast as the browser takes them, for about three seconds.
  for (let i = 0; Date.now() - started < 3_000; i++) {
    await alice.mouse.move(200 + (i % 400) * 2, 200 + Math.sin(i / 20) * 150);
  }
  await alice.mouse.up();
  const seconds = (Date.now() - started) / 1_000;
  const rate = ((await messagesIn()) - before) / seconds;
  console.log(`pen stroke: ${rate.toFixed(1)} messages/s from both pages over ${seconds} s`);
  // Document updates at most ~67/s (one per frame, never sooner than 15 ms) plus paced presence
  // (~30/s): well under RATE_UPDATES_PER_S (120) and RATE_PRESENCE_PER_S (120).
  expect(rate).toBeLessThan(110);
  expect(await refusals()).toEqual({});
  await expect(alice.locator('#status')).toHaveAttribute('data-state', 'connected');
  await expect
    .poll(async () => (await bob.evaluate(() => window.__boardcast.shapes()))[0]?.points.length)
    .toBe((await alice.evaluate(() => window.__boardcast.shapes()))[0]?.points.length);
});
