/**
 * The main menu's sections beyond files (ui/menu-sections.ts) and what feeds them: this board
 * joins the browser's recent boards when opened, follows a reset of its edit link made here,
 * and is forgotten once it answers 4404 (deleted, or its link reset elsewhere); the theme
 * picker drives the page and the canvas palette.
 */
import { CLOSE } from '../../common/protocol/close-codes.ts';
import type { ThemeSetting } from '../render/theme.ts';
import type { BoardLocation } from './board-location.ts';
import type { Canvas } from './canvas.ts';
import type { Connection } from './connection.ts';
import { byId } from './editor-app.ts';
import type { RecentBoards } from './recent-boards.ts';
import { addRecentBoardsSection, addThemeSection } from './ui/menu-sections.ts';

export interface AppMenuDeps {
  board: BoardLocation;
  canvas: Canvas;
  connection: Connection;
  recent: RecentBoards;
  theme: ThemeSetting;
}

export function connectAppMenu({ board, canvas, connection, recent, theme }: AppMenuDeps): void {
  const menu = byId('file-menu');
  recent.visit(board.boardId);
  connection.onChange(({ state }) => {
    if (state.kind === 'stopped' && state.code === CLOSE.GONE.code) recent.forget(board.boardId);
  });
  addRecentBoardsSection({
    menu,
    opener: byId('menu-button'),
    recent,
    currentId: () => board.boardId,
  });
  addThemeSection(menu, theme, menu.querySelector('.menu-danger'));
  theme.onChange((resolved) => canvas.shapes.setTheme(resolved));
}
