/**
 * What the page URL says: the board id (last path segment) and the server URLs. When this tab
 * resets the board's edit link, `moveLocation` points the same object at the new id (everything
 * reads it when it needs it).
 */
import { isValidBoardId } from '../../common/board/ids.ts';

export interface BoardLocation {
  boardId: string;
  /** For the y-websocket provider, which appends `/<boardId>`. */
  wsUrl: string;
  linksUrl: string;
}

export function readBoardLocation(location: Location): BoardLocation | null {
  const segments = location.pathname.split('/').filter(Boolean);
  const boardId = decodeURIComponent(segments[segments.length - 1] ?? '');
  if (!isValidBoardId(boardId)) return null;
  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return {
    boardId,
    wsUrl: `${wsScheme}://${location.host}/ws`,
    linksUrl: `/api/boards/${encodeURIComponent(boardId)}/links`,
  };
}

/** Points `board` at a new edit id and changes the page URL in place (no reload, no history entry). */
export function moveLocation(board: BoardLocation, boardId: string, location: Location): void {
  board.boardId = boardId;
  board.linksUrl = `/api/boards/${encodeURIComponent(boardId)}/links`;
  const url = `/board/${encodeURIComponent(boardId)}${location.search}${location.hash}`;
  history.replaceState(history.state, '', url);
}
