/** What the page URL says: the board id (last path segment) and the server URLs. */
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
