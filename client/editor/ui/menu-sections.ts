/**
 * Sections the main menu (☰) gains besides its file actions: "New board" and the boards this
 * browser opened (name, when, a thumbnail from the board's SVG), at the top; the theme picker
 * (System, Light, Dark) near the bottom. The list is rebuilt each time the menu opens, so it
 * shows what other tabs added meanwhile.
 */
import type { ThemeChoice, ThemeSetting } from '../../render/theme.ts';
import type { RecentBoards, RecentBoard } from '../recent-boards.ts';
import { element } from './dialog.ts';

/** Pixel width asked of the server's PNG for a recent board (twice the CSS width, for 2× screens). */
const RECENT_THUMB_WIDTH = 112;

const THEME_LABELS: Record<ThemeChoice, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

export interface RecentBoardsMenuDeps {
  menu: HTMLElement;
  /** The menu's button: the list is refreshed when it opens the menu. */
  opener: HTMLElement;
  recent: RecentBoards;
  /** The board open in this tab (not listed). */
  currentId(): string;
}

export function addRecentBoardsSection(deps: RecentBoardsMenuDeps): void {
  const list = element('div', { className: 'recent-list', id: 'recent-boards' });
  const newBoard = element(
    'a',
    { className: 'menu-link', href: '/', id: 'new-board' },
    'New board',
  );
  newBoard.setAttribute('role', 'menuitem');
  const section = element(
    'div',
    { className: 'menu-section' },
    newBoard,
    element('div', { className: 'menu-label' }, 'Recent boards'),
    list,
  );
  deps.menu.prepend(section);
  const refresh = () => renderRecent(list, deps.recent.list(), deps.currentId());
  // After the menu's own handler has toggled it (listeners run in order).
  deps.opener.addEventListener('click', () => {
    if (!deps.menu.hidden) refresh();
  });
  refresh();
}

function renderRecent(list: HTMLElement, boards: RecentBoard[], currentId: string): void {
  const others = boards.filter((board) => board.id !== currentId);
  if (others.length === 0) {
    list.replaceChildren(
      element('p', { className: 'recent-empty' }, 'Boards you open appear here.'),
    );
    return;
  }
  const now = Date.now();
  list.replaceChildren(...others.map((board) => recentItem(board, now)));
}

function recentItem(board: RecentBoard, now: number): HTMLElement {
  const id = encodeURIComponent(board.id);
  const thumb = element('img', {
    className: 'recent-thumb',
    src: `/api/boards/${id}.png?width=${RECENT_THUMB_WIDTH}`, // the server's PNG thumbnail
    alt: '',
    loading: 'lazy',
  });
  thumb.addEventListener('error', () => thumb.classList.add('is-missing'), { once: true });
  const item = element(
    'a',
    { className: 'recent-board', href: `/board/${id}`, title: board.id },
    thumb,
    element(
      'span',
      { className: 'recent-text' },
      element('span', { className: 'recent-name' }, board.id),
      element('span', { className: 'recent-when' }, timeAgo(board.visitedAt, now)),
    ),
  );
  item.setAttribute('role', 'menuitem');
  item.dataset.boardId = board.id;
  return item;
}

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago" (in the browser's language). */
export function timeAgo(then: number, now: number, locale?: string): string {
  const seconds = Math.round((then - now) / 1000);
  if (seconds > -45) return 'just now';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 60 * 60],
    ['day', 24 * 60 * 60],
    ['week', 7 * 24 * 60 * 60],
    ['month', 30 * 24 * 60 * 60],
    ['year', 365 * 24 * 60 * 60],
  ];
  let chosen = steps[0] as [Intl.RelativeTimeFormatUnit, number];
  for (const step of steps) if (-seconds >= step[1]) chosen = step;
  return format.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** The theme picker; `before` is the menu item it goes above (the last, dangerous one). */
export function addThemeSection(menu: HTMLElement, theme: ThemeSetting, before: Element | null) {
  const buttons = (Object.keys(THEME_LABELS) as ThemeChoice[]).map((choice) => {
    const button = element('button', { type: 'button' }, THEME_LABELS[choice]);
    button.dataset.themeChoice = choice;
    button.setAttribute('role', 'menuitemradio');
    button.addEventListener('click', () => theme.choose(choice));
    return button;
  });
  const picker = element('div', { className: 'theme-picker', id: 'theme-picker' }, ...buttons);
  picker.setAttribute('role', 'group');
  picker.setAttribute('aria-label', 'Theme');
  const section = element(
    'div',
    { className: 'menu-section' },
    element('div', { className: 'menu-label' }, 'Theme'),
    picker,
  );
  menu.insertBefore(section, before);
  theme.onChange((_resolved, choice) => {
    for (const button of buttons)
      button.setAttribute('aria-checked', String(button.dataset.themeChoice === choice));
  });
}
