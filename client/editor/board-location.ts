/** What the page URL says: the board id (last path segment), the token and the server URLs. */
import { isValidBoardId } from '../../common/board/ids.ts';

export interface BoardLocation {
  boardId: string;
  token: string | null;
  /** For the y-websocket provider, which appends `/<boardId>`. */
  wsUrl: string;
  linksUrl: string;
}

export function readBoardLocation(location: Location): BoardLocation | null {
  const segments = location.pathname.split('/').filter(Boolean);
  const boardId = decodeURIComponent(segments[segments.length - 1] ?? '');
  if (!isValidBoardId(boardId)) return null;
  const token = new URLSearchParams(location.search).get('token');
  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return {
    boardId,
    token,
    wsUrl: `${wsScheme}://${location.host}/ws`,
    linksUrl: `/api/boards/${encodeURIComponent(boardId)}/links${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  };
}
