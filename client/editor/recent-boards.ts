/**
 * The boards this browser opened, newest first, kept in localStorage so a board whose link was
 * lost can be found again from the menu. Bounded (`MAX_RECENT_BOARDS`); ids only, never tokens.
 * A board whose link was reset here is renamed; a deleted or reset board is forgotten.
 *
 *   const recent = new RecentBoards(localStorage);
 *   recent.visit('team-retro');          // on opening a board
 *   recent.list();                       // [{ id: 'team-retro', visitedAt: 1764… }, …]
 */
import { isValidBoardId } from '../../common/board/ids.ts';

export const MAX_RECENT_BOARDS = 20;
const STORAGE_KEY = 'boardcast.recentBoards';

export interface RecentBoard {
  /** The board's edit id (its name in the editor's title and dialogs). */
  id: string;
  /** When this browser last opened it (ms since the epoch). */
  visitedAt: number;
}

type RecentStorage = Pick<Storage, 'getItem' | 'setItem'>;

export class RecentBoards {
  constructor(private readonly storage: RecentStorage) {}

  /** Newest first; entries that do not parse are skipped. */
  list(): RecentBoard[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isRecentBoard).slice(0, MAX_RECENT_BOARDS) : [];
    } catch {
      return [];
    }
  }

  visit(id: string, now = Date.now()): void {
    this.save([{ id, visitedAt: now }, ...this.list().filter((board) => board.id !== id)]);
  }

  /** This tab reset the board's edit link: the entry follows the board to its new id. */
  rename(from: string, to: string): void {
    const boards = this.list().filter((board) => board.id !== to);
    this.save(boards.map((board) => (board.id === from ? { ...board, id: to } : board)));
  }

  forget(id: string): void {
    this.save(this.list().filter((board) => board.id !== id));
  }

  private save(boards: RecentBoard[]): void {
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(boards.slice(0, MAX_RECENT_BOARDS)));
    } catch {
      // Storage full or blocked (private mode): the list is a convenience, the board works on.
    }
  }
}

function isRecentBoard(value: unknown): value is RecentBoard {
  if (typeof value !== 'object' || value === null) return false;
  const { id, visitedAt } = value as Record<string, unknown>;
  return isValidBoardId(id) && typeof visitedAt === 'number' && Number.isFinite(visitedAt);
}
