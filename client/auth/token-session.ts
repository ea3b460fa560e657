/**
 * The page's board token in JWT mode (docs/auth.md). No Yjs here: the editor and the viewer both
 * use it, and the viewer bundle carries no Yjs.
 *
 * Where things come from:
 *   - the token: the page URL's `?token=` (pages load without one; they pass on the one they got);
 *   - the token URL: `<meta name="boardcast-token-url" content="…">`, which the server adds to the
 *     editor and viewer pages when TOKEN_URL is set. It is the operator's endpoint: `GET` with the
 *     page's cookies (`credentials: 'include'`) and `?board=<claim>&role=<claim>` of the current
 *     token; it answers `{ "token": "…" }` (JSON) or the bare token (text).
 *
 * API (the editor and viewer wire it like this):
 *
 *   const session = TokenSession.fromPage();
 *   await session.ready();                       // a usable token (fetched first if the URL's expired)
 *   // WebSocket (editor): the provider reads `params` at every (re)connect, and the session sends
 *   // each fresh token over the open socket as a type-100 frame.
 *   const provider = new WebsocketProvider(wsUrl, id, doc, { params: session.params });
 *   session.attachSocket(() => provider.ws);
 *   // HTTP (viewer): every API, SSE, poll and SVG URL goes through withToken.
 *   const events = new EventSource(session.withToken(`/api/boards/${id}/events`));
 *   session.onToken(() => { …reopen the EventSource with withToken(…) and Last-Event-ID… });
 *   session.start();                             // refreshes before expiry, while the page lives
 *
 * Outside JWT mode there is no token: `params` stays `{}`, `withToken` returns its input, and
 * nothing is ever fetched or sent.
 */
import { encodeTokenMessage } from '../../common/protocol/token-message.ts';

export const TOKEN_URL_META = 'boardcast-token-url';
/** Refresh this long before expiry (less for short-lived tokens: a third of their lifetime). */
export const REFRESH_BEFORE_MS = 60_000;
/** After a failed fetch, try again this long later (never later than expiry allows). */
export const RETRY_AFTER_MS = 5_000;
const OPEN = 1;

export interface TokenClaims {
  board?: string;
  role?: string;
  exp?: number;
  iat?: number;
}

/** The socket the session sends refreshes over (a browser WebSocket or `ws`). */
export interface TokenSocket {
  readonly readyState: number;
  send(data: Uint8Array<ArrayBuffer>): void;
}

export interface TokenSessionOptions {
  token: string | null;
  tokenUrl: string | null;
  refreshBeforeMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Called with the fresh token, e.g. to put it back into the address bar. */
  onRefreshed?: (token: string) => void;
  onError?: (error: Error) => void;
}

/** The claims of a JWT, unverified (the server verifies; the page only needs `exp`). */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}

/** `url` with `token` set as its `?token=` parameter (relative URLs stay relative). */
export function appendToken(url: string, token: string | null): string {
  if (!token) return url;
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url);
  const parsed = new URL(url, 'http://relative.invalid');
  parsed.searchParams.set('token', token);
  return absolute ? parsed.href : `${parsed.pathname}${parsed.search}${parsed.hash}`;
}

export class TokenSession {
  /** Query parameters for the y-websocket provider; `token` is updated on every refresh. */
  readonly params: Record<string, string> = {};
  private current: string | null;
  private readonly listeners = new Set<(token: string) => void>();
  private readonly sockets = new Set<() => TokenSocket | null | undefined>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<string | null> | null = null;
  private started = false;

  constructor(private readonly options: TokenSessionOptions) {
    this.current = options.token;
    if (options.token) this.params.token = options.token;
  }

  /** The session for this page: token from `?token=`, token URL from the meta tag. */
  static fromPage(extra: Partial<TokenSessionOptions> = {}): TokenSession {
    const meta = document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_URL_META}"]`);
    return new TokenSession({
      token: new URL(location.href).searchParams.get('token'),
      tokenUrl: meta?.content || null,
      onRefreshed: (token) =>
        history.replaceState(history.state, '', appendToken(location.href, token)),
      ...extra,
    });
  }

  get token(): string | null {
    return this.current;
  }

  get claims(): TokenClaims | null {
    return this.current ? decodeTokenClaims(this.current) : null;
  }

  /** When the current token expires (ms since the epoch), or null. */
  get expiresAtMs(): number | null {
    const exp = this.claims?.exp;
    return typeof exp === 'number' ? exp * 1_000 : null;
  }

  /** Resolves with a usable token: the current one, or a fresh one when it is missing or expired. */
  async ready(): Promise<string | null> {
    const expiry = this.expiresAtMs;
    if (this.options.tokenUrl && (!this.current || (expiry !== null && expiry <= this.now())))
      return this.refresh();
    return this.current;
  }

  withToken(url: string): string {
    return appendToken(url, this.current);
  }

  /** Calls `listener` with every fresh token; returns an unsubscribe function. */
  onToken(listener: (token: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends every fresh token over the socket `getSocket` returns at that moment (the provider
   * replaces its socket on reconnect, so pass a getter such as `() => provider.ws`).
   */
  attachSocket(getSocket: () => TokenSocket | null | undefined): () => void {
    this.sockets.add(getSocket);
    return () => this.sockets.delete(getSocket);
  }

  /** Starts refreshing before expiry (needs a token URL; otherwise does nothing). */
  start(): void {
    this.started = true;
    this.schedule();
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fetches a fresh token now (concurrent calls share one fetch); null when there is no token URL. */
  refresh(): Promise<string | null> {
    if (!this.options.tokenUrl) return Promise.resolve(this.current);
    this.inFlight ??= this.fetchToken(this.options.tokenUrl)
      .then((token) => {
        this.accept(token);
        return token;
      })
      .catch((error: unknown) => {
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
        this.schedule(RETRY_AFTER_MS);
        return this.current;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private accept(token: string): void {
    this.current = token;
    this.params.token = token;
    const frame = encodeTokenMessage(token);
    for (const getSocket of this.sockets) {
      const socket = getSocket();
      if (socket && socket.readyState === OPEN) socket.send(frame);
    }
    this.options.onRefreshed?.(token);
    for (const listener of this.listeners) listener(token);
    this.schedule();
  }

  private async fetchToken(tokenUrl: string): Promise<string> {
    const claims = this.claims;
    const url = new URL(
      tokenUrl,
      typeof location === 'undefined' ? 'http://relative.invalid' : location.href,
    );
    if (claims?.board) url.searchParams.set('board', claims.board);
    if (claims?.role) url.searchParams.set('role', claims.role);
    const request = url.host === 'relative.invalid' ? `${url.pathname}${url.search}` : url.href;
    const response = await (this.options.fetch ?? fetch)(request, {
      credentials: 'include',
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`token URL answered ${response.status}`);
    const type = response.headers.get('content-type') ?? '';
    const token = type.includes('json')
      ? ((await response.json()) as { token?: unknown }).token
      : (await response.text()).trim();
    if (typeof token !== 'string' || token.split('.').length !== 3)
      throw new Error('token URL answered no token');
    return token;
  }

  private schedule(afterMs?: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.started || !this.options.tokenUrl) return;
    let wait = afterMs;
    if (wait === undefined) {
      const expiry = this.expiresAtMs;
      if (expiry === null) return;
      const iat = this.claims?.iat;
      const lifetimeMs = typeof iat === 'number' ? expiry - iat * 1_000 : Infinity;
      const lead = Math.min(this.options.refreshBeforeMs ?? REFRESH_BEFORE_MS, lifetimeMs / 3);
      wait = expiry - lead - this.now();
    }
    this.timer = setTimeout(() => void this.refresh(), Math.max(0, Math.min(wait, 2_147_483_647)));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
