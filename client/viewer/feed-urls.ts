/**
 * Where the viewer reads its board: the page's own origin (the viewer is served by the board's
 * server, also inside an iframe elsewhere), the view id from `/view/<id>`, and the JWT from the
 * page's `?token=` passed on to every request.
 */
export interface FeedUrls {
  boardId: string;
  events(lastEventId: string | null): string;
  poll(since: string | null): string;
  snapshot(): string;
}

export function feedUrlsFor(location: Location): FeedUrls | null {
  const match = /^\/view\/([A-Za-z0-9_-]{1,64})\/?$/.exec(location.pathname);
  if (!match?.[1]) return null;
  const boardId = match[1];
  const token = new URLSearchParams(location.search).get('token');
  const base = `/api/boards/${boardId}`;
  const withQuery = (path: string, query: Record<string, string | null>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...query, token }))
      if (value) params.set(name, value);
    const text = params.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    boardId,
    events: (lastEventId) => withQuery(`${base}/events`, { lastEventId }),
    poll: (since) => withQuery(`${base}/poll`, { since }),
    snapshot: () => withQuery(base, {}),
  };
}
