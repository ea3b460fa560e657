/**
 * Working together (issue 12): a first visit draws at once, others see shapes while they are
 * drawn, follow mode, the laser pointer, and the wheel.
 */
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
