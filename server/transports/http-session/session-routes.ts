/**
 * The HTTP session endpoint (PROTOCOL.md "HTTP session"): an editor's sync over plain HTTP where
 * WebSockets are refused. Each session is an HttpSession (the transport) driving a PeerSession,
 * so it follows every rule a WebSocket peer does.
 *
 *   POST   /api/boards/<id>/sessions                      → 201 {"session": <sid>}
 *   GET    /api/boards/<id>/sessions/<sid>/events          SSE down (Last-Event-ID)
 *   GET    /api/boards/<id>/sessions/<sid>/poll?after=<n>  long poll down
 *   POST   /api/boards/<id>/sessions/<sid>/messages        up, answered once committed
 *   DELETE /api/boards/<id>/sessions/<sid>                 ends it (its presence goes at once)
 *
 * JWT mode and ALLOWED_ORIGINS are checked by the router's guard on every request (the path names
 * the board); creation also checks the Origin (for view ids too, as the WebSocket upgrade does)
 * and takes one of the address's MAX_CONNECTIONS_PER_IP slots, shared with WebSockets.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBoardId } from '../../../common/board/ids.ts';
import { CLOSE } from '../../../common/protocol/close-codes.ts';
import { decodeBatch } from '../../../common/protocol/session-framing.ts';
import type { AppContext } from '../../app-context.ts';
import { originAllowed } from '../../auth/origin-check.ts';
import { grantFor } from '../../auth/request-token.ts';
import { readBody } from '../../http/read-body.ts';
import { sendError, sendJson } from '../../http/respond.ts';
import type { Route, RouteRequest } from '../../http/route.ts';
import { PeerSession, type PeerSessionDeps } from '../../room/peer-session.ts';
import type { SessionDirectory } from '../../scale/session-directory.ts';
import { BatchOrder } from './batch-order.ts';
import { forwardTo, isForwarded } from './forward.ts';
import { HttpSession, LONG_POLL_MAX_MS, SESSION_HEADERS } from './http-session.ts';

/** 128 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
/** How long numbered batches wait for a missing earlier one, and how many may wait. */
const BATCH_GAP_WAIT_MS = 10_000;
const MAX_WAITING_BATCHES = 16;
/** Room for the length prefixes of a body of messages. */
const FRAMING_SLACK_BYTES = 1_024;

interface Entry {
  transport: HttpSession;
  peer: PeerSession;
  order: BatchOrder;
  maxMessageBytes: number;
  release: () => void;
  /** When the directory last heard of it (scale-out). */
  claimedAt: number;
}

export interface SessionEndpoint {
  routes: Route[];
  /** Closes every session with 1012 (shutdown). */
  closeAll(): void;
}

export interface SessionScaleOut {
  /** Where sessions are recorded (Redis); resolves null outside scale-out. */
  directory: Promise<SessionDirectory | null>;
}

export function sessionEndpoint(
  ctx: AppContext,
  deps: PeerSessionDeps & { nextPeerId(): number },
  scale: SessionScaleOut = { directory: Promise.resolve(null) },
): SessionEndpoint {
  const sessions = new Map<string, Entry>();
  const { config, metrics } = ctx;
  const limits = { maxBufferedBytes: config.maxBufferedBytes, idleMs: config.sessionIdleMs };

  /**
   * The session named by the path, or null once answered (404 unknown or foreign, 410 closed; a
   * session another instance holds: forwarded there).
   */
  function find({ req, res, params }: RouteRequest, closedOk = false): Entry | null {
    const [boardId = '', sid = ''] = params;
    const entry = SESSION_ID.test(sid) ? sessions.get(sid) : undefined;
    if (!entry && SESSION_ID.test(sid) && !isForwarded(req)) {
      void forwardOrRefuse(sid, req, res);
      return null;
    }
    if (!entry || entry.transport.boardId !== boardId) {
      refuseUnknown(res);
      return null;
    }
    renewClaim(sid, entry);
    const closed = entry.transport.closed;
    if (closed && !closedOk) {
      sendJson(res, 410, { error: closed.reason, ...closed }, SESSION_HEADERS);
      return null;
    }
    return entry;
  }

  function refuseUnknown(res: ServerResponse): void {
    metrics.refusals.inc({ reason: 'unknown_session' });
    sendError(res, 404, 'no such session', SESSION_HEADERS);
  }

  /** Scale-out: a session held elsewhere is served there; otherwise 404. */
  async function forwardOrRefuse(sid: string, req: IncomingMessage, res: ServerResponse) {
    const directory = await scale.directory;
    const owner = directory ? await directory.owner(sid) : null;
    if (owner && owner !== ctx.selfUrl?.() && (await forwardTo(owner, req, res))) return;
    refuseUnknown(res);
  }

  /** Keeps the directory's record of a session alive while it is used (at most every third of its life). */
  function renewClaim(sid: string, entry: Entry): void {
    const now = Date.now();
    if (now - entry.claimedAt < limits.idleMs / 3) return;
    entry.claimedAt = now;
    void scale.directory.then((directory) => directory?.claim(sid, limits.idleMs * 2));
  }

  function create({ req, res, params }: RouteRequest): void {
    const boardId = params[0] ?? '';
    if (ctx.isShuttingDown()) return sendError(res, 503, 'shutting down');
    if (!isValidBoardId(boardId)) return sendError(res, 400, 'ids are [A-Za-z0-9_-]{1,64}');
    if (!originAllowed(req, config.allowedOrigins, config.publicUrl)) {
      metrics.refusals.inc({ reason: 'origin' });
      return sendError(res, 403, 'origin not allowed');
    }
    const address = ctx.limits.clientAddress(req);
    const release = ctx.limits.websocket.acquire(address);
    if (!release) return sendError(res, 429, 'too many connections from this address');
    const sid = randomBytes(16).toString('base64url');
    const transport = new HttpSession(sid, boardId, limits);
    const peer = new PeerSession(deps, transport, {
      id: deps.nextPeerId(),
      remote: address,
      grant: grantFor(req),
    });
    sessions.set(sid, {
      transport,
      peer,
      order: new BatchOrder(BATCH_GAP_WAIT_MS, MAX_WAITING_BATCHES),
      maxMessageBytes: config.maxMessageBytes,
      release,
      claimedAt: Date.now(),
    });
    void scale.directory.then((directory) => directory?.claim(sid, limits.idleMs * 2));
    transport.hooks = {
      resync: () => peer.resync(),
      refused: (reason) => metrics.refusals.inc({ reason }),
      closed: (code) => {
        peer.end(code);
        release();
        // Kept a while so the client's next request learns the close code, then forgotten.
        setTimeout(() => forget(sid), limits.idleMs).unref();
      },
    };
    peer.open(boardId);
    sendJson(res, 201, { session: sid }, SESSION_HEADERS);
  }

  function forget(sid: string): void {
    const entry = sessions.get(sid);
    if (!entry) return;
    sessions.delete(sid);
    entry.transport.dispose();
  }

  function track(entry: Entry, res: ServerResponse): void {
    const done = entry.transport.beginRequest();
    res.once('close', done);
    res.once('finish', done);
  }

  const routes: Route[] = [
    { method: 'POST', path: /^\/api\/boards\/([^/]+)\/sessions$/, handle: create },
    {
      method: 'GET',
      path: /^\/api\/boards\/([^/]+)\/sessions\/([^/]+)\/events$/,
      handle(request) {
        const entry = find(request, true);
        if (!entry) return;
        track(entry, request.res);
        entry.transport.openStream(request.res, lastEventId(request.req, request.url));
      },
    },
    {
      method: 'GET',
      path: /^\/api\/boards\/([^/]+)\/sessions\/([^/]+)\/poll$/,
      handle(request) {
        const entry = find(request, true);
        if (!entry) return;
        track(entry, request.res);
        const after = sequence(request.url.searchParams.get('after'));
        const timeout = Number(request.url.searchParams.get('timeout') ?? LONG_POLL_MAX_MS);
        entry.transport.poll(request.res, after, Number.isFinite(timeout) ? timeout : 0);
      },
    },
    {
      method: 'POST',
      path: /^\/api\/boards\/([^/]+)\/sessions\/([^/]+)\/messages$/,
      handle: (request) => receive(request),
    },
    {
      method: 'DELETE',
      path: /^\/api\/boards\/([^/]+)\/sessions\/([^/]+)$/,
      handle(request) {
        const entry = find(request, true);
        if (!entry) return;
        entry.transport.close({ code: 1000, reason: 'closed by the client' });
        request.res.writeHead(204, SESSION_HEADERS).end();
      },
    },
  ];

  async function receive(request: RouteRequest): Promise<void> {
    const { req, res, url } = request;
    const entry = find(request);
    if (!entry) return;
    track(entry, res);
    entry.transport.acknowledge(sequence(url.searchParams.get('ack')));
    const body = await readBody(req, config.maxMessageBytes + FRAMING_SLACK_BYTES);
    if (!body) {
      metrics.refusals.inc({ reason: 'too_big' });
      return sendError(res, 413, `a body is at most ${config.maxMessageBytes} bytes`);
    }
    const number = sequence(url.searchParams.get('batch'));
    const turn = await entry.order.turn(number);
    if (turn === 'timeout') {
      entry.peer.refuse(CLOSE.TRY_AGAIN_LATER, 'an earlier batch never came', 'batch_gap');
      return answerClosed(res, entry);
    }
    try {
      if (turn === 'go') handBatch(entry, body);
    } finally {
      entry.order.done(number);
    }
    await entry.peer.whenHandled();
    if (entry.transport.closed) return answerClosed(res, entry);
    res.writeHead(204, SESSION_HEADERS).end();
  }

  return {
    routes,
    closeAll() {
      for (const entry of sessions.values()) entry.transport.close(CLOSE.SERVER_RESTARTING);
    },
  };
}

/** Hands a POST body's messages to the session, in order; a body that does not decode is 1007. */
function handBatch(entry: Entry, body: Buffer): void {
  let messages: Uint8Array[];
  try {
    messages = decodeBatch(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    return entry.peer.refuse(CLOSE.MALFORMED, (error as Error).message, 'malformed');
  }
  for (const message of messages) {
    if (message.byteLength > entry.maxMessageBytes) {
      return entry.peer.refuse(CLOSE.TOO_BIG, 'message too big', 'too_big');
    }
    entry.peer.receive(message);
  }
}

function answerClosed(res: ServerResponse, entry: Entry): void {
  const closed = entry.transport.closed ?? { code: 1000, reason: 'closed' };
  sendJson(res, 410, { error: closed.reason, ...closed }, SESSION_HEADERS);
}

/** A sequence number from a query or header; 0 when absent or not a number. */
function sequence(raw: string | null | undefined): number {
  const value = Number(raw);
  return raw && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function lastEventId(req: IncomingMessage, url: URL): number {
  const header = req.headers['last-event-id'];
  return sequence(typeof header === 'string' ? header : url.searchParams.get('lastEventId'));
}
