/**
 * Who this person is on the board: a name and a colour, remembered in localStorage. `?name=` in
 * the URL wins (and is remembered), so tests and links can set it without any prompt; otherwise
 * a small in-page dialog asks once, never blocking the page.
 */
import { isColor } from '../../common/board/shape.ts';

export interface Identity {
  name: string;
  color: string;
}

const NAME_KEY = 'boardcast.name';
const COLOR_KEY = 'boardcast.color';
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

/** The remembered identity (or a guest one), and whether the name still needs asking. */
export function loadIdentity(storage: Storage, url: URL): { identity: Identity; askName: boolean } {
  const fromUrl = cleanName(url.searchParams.get('name') ?? '');
  if (fromUrl) storage.setItem(NAME_KEY, fromUrl);
  const stored = cleanName(storage.getItem(NAME_KEY) ?? '');
  let color = storage.getItem(COLOR_KEY) ?? '';
  if (!isColor(color)) {
    color = PRESENCE_COLORS[Math.floor(Math.random() * PRESENCE_COLORS.length)] as string;
    storage.setItem(COLOR_KEY, color);
  }
  const guest = `Guest ${Math.floor(100 + Math.random() * 900)}`;
  return { identity: { name: stored || guest, color }, askName: !stored };
}

export function rememberName(storage: Storage, name: string): void {
  storage.setItem(NAME_KEY, name);
}
