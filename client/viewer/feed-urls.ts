/**
 * Where the viewer reads its board: the page's own origin (the viewer is served by the board's
 * server, also inside an iframe elsewhere), the view id from `/view/<id>`, and in JWT mode the
 * current token (client/auth/token-session.ts) passed on to every request.
 */
export interface FeedUrls {
  boardId: string;
  events(lastEventId: string | null): string;
  poll(since: string | null): string;
  snapshot(): string;
  /** Gets a fresh token after the server said the current one expired; resolves when done. */
  renewToken(): Promise<void>;
}

export interface TokenSource {
  readonly token: string | null;
  refresh(): Promise<unknown>;
}

export function feedUrlsFor(location: Location, session: TokenSource): FeedUrls | null {
  const match = /^\/view\/([A-Za-z0-9_-]{1,64})\/?$/.exec(location.pathname);
  if (!match?.[1]) return null;
  const boardId = match[1];
  const base = `/api/boards/${boardId}`;
  const withQuery = (path: string, query: Record<string, string | null>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...query, token: session.token }))
      if (value) params.set(name, value);
    const text = params.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    boardId,
    events: (lastEventId) => withQuery(`${base}/events`, { lastEventId }),
    poll: (since) => withQuery(`${base}/poll`, { since }),
    snapshot: () => withQuery(base, {}),
    renewToken: async () => {
      await session
        .refresh()
        .catch((error: unknown) => console.warn('Boardcast: token refresh failed', error));
    },
  };
}
