/**
 * A tiny stand-in for an operator's token endpoint (docs/auth.md, "The token URL"), for the JWT-mode
 * browser tests: `GET /token?board=<claim>&role=<claim>` answers `{ "token": "…" }`, a fresh token
 * for that board and role signed with TEST_SECRET, with CORS for credentialed requests from one
 * origin (the board server's pages, `allowOrigin`). Every call is recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mint } from '../helpers/auth.ts';

export interface TokenCall {
  board: string | null;
  role: string | null;
  origin: string | null;
  at: number;
}

export interface TokenServer {
  /** http://127.0.0.1:PORT/token — the TOKEN_URL setting. */
  url: string;
  calls: TokenCall[];
  /** The origin whose pages may call it with credentials (the board server's, set once known). */
  allowOrigin: string;
  close(): Promise<void>;
}

export interface TokenServerOptions {
  /** Lifetime of the tokens it hands out. */
  ttlSeconds: number;
  /** Waits this long before answering (to widen the gap a renewal leaves). */
  delayMs?: number;
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const calls: TokenCall[] = [];
  let handle: TokenServer | null = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const cors = {
      'access-control-allow-origin': handle?.allowOrigin ?? '',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    };
    if (req.method !== 'GET' || url.pathname !== '/token') {
      res.writeHead(404, cors).end();
      return;
    }
    const board = url.searchParams.get('board');
    const role = url.searchParams.get('role');
    calls.push({ board, role, origin: req.headers.origin ?? null, at: Date.now() });
    if (!board || (role !== 'edit' && role !== 'view')) {
      res.writeHead(400, cors).end();
      return;
    }
    setTimeout(() => {
      void mint(board, role, options.ttlSeconds).then((token) => {
        res.writeHead(200, {
          ...cors,
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        res.end(JSON.stringify({ token }));
      });
    }, options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  handle = {
    url: `http://127.0.0.1:${port}/token`,
    calls,
    allowOrigin: '',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
