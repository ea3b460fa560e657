/**
 * Who this person is on the board: a name and a colour, remembered in localStorage. `?name=` in
 * the URL wins (and is remembered), so tests and links can set it. A first visit asks nothing
 * (contract: "a name is offered, never demanded"): the person arrives as a generated guest name,
 * kept for the next visits too, and may rename themselves from their avatar at any time.
 */
import { isColor } from '../../common/board/shape.ts';

export interface Identity {
  name: string;
  color: string;
}

const NAME_KEY = 'boardcast.name';
const COLOR_KEY = 'boardcast.color';
/** The generated guest name, while the person has not chosen one. */
const GUEST_KEY = 'boardcast.guestName';
export const MAX_NAME_LENGTH = 40;
export const PRESENCE_COLORS = [
  '#e03131',
  '#c2255c',
  '#9c36b5',
  '#6741d9',
  '#3b5bdb',
  '#1971c2',
  '#0c8599',
  '#099268',
  '#2f9e44',
  '#e8590c',
  '#f08c00',
] as const;

export function cleanName(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH);
}

/**
 * The remembered identity, or a new guest one (remembered at once, so a reload keeps it).
 * `chosen`: whether the person picked the name themselves (or the URL set it); a guest is
 * offered a hint that they can rename.
 */
export function loadIdentity(storage: Storage, url: URL): { identity: Identity; chosen: boolean } {
  const fromUrl = cleanName(url.searchParams.get('name') ?? '');
  if (fromUrl) rememberName(storage, fromUrl);
  const stored = cleanName(storage.getItem(NAME_KEY) ?? '');
  let color = storage.getItem(COLOR_KEY) ?? '';
  if (!isColor(color)) {
    color = PRESENCE_COLORS[Math.floor(Math.random() * PRESENCE_COLORS.length)] as string;
    storage.setItem(COLOR_KEY, color);
  }
  const chosen = stored !== '' && storage.getItem(GUEST_KEY) !== stored;
  const name = stored || guestName();
  if (!stored) {
    storage.setItem(NAME_KEY, name);
    storage.setItem(GUEST_KEY, name);
  }
  return { identity: { name, color }, chosen };
}

/** A name the person chose: remembered, and no longer a guest's. */
export function rememberName(storage: Storage, name: string): void {
  storage.setItem(NAME_KEY, name);
  storage.removeItem(GUEST_KEY);
}

export function guestName(random: () => number = Math.random): string {
  return `Guest ${Math.floor(100 + random() * 900)}`;
}
