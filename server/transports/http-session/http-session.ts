/**
 * One editor's HTTP session (PROTOCOL.md "HTTP session"): the transport side of a PeerSession
 * whose bytes come up in POSTs and go down an SSE stream or long polls. It only numbers, keeps
 * and delivers frames; everything else (rates, held updates, tokens, the room) is the
 * PeerSession's, exactly as for a WebSocket.
 *
 *   - down: at most one down-request at a time; a second one replaces the first (the first SSE
 *     stream ends with `event: replaced`, a waiting long poll is answered 409);
 *   - frames are kept (session-outbox.ts) until acknowledged, so a dropped request resumes with
 *     `Last-Event-ID` / `?after=`; a client that asks for what was dropped gets a fresh sync;
 *   - an SSE stream whose socket holds more than `maxBufferedBytes` unsent is cut (the client
 *     resumes, or gets a fresh sync): nothing is buffered without limit;
 *   - no request for `idleMs` closes the session, and its presence goes with it;
 *   - a close (any code) is kept for the next down-request: `event: close` or 410.
 */
import type { ServerResponse } from 'node:http';
import type { CloseCode } from '../../../common/protocol/close-codes.ts';
import { CLOSE } from '../../../common/protocol/close-codes.ts';
import {
  encodeBatch,
  FIRST_SEQ_HEADER,
  LAST_SEQ_HEADER,
  SESSION_CLOSE_EVENT,
  SESSION_REPLACED_EVENT,
} from '../../../common/protocol/session-framing.ts';
import type { PeerTransport } from '../../room/peer-session.ts';
import { SessionOutbox, type Numbered } from './session-outbox.ts';

/** A keepalive comment at least this often on an SSE stream (contract: every 15 s). */
export const KEEPALIVE_MS = 15_000;
/** A long poll with nothing to deliver is answered 204 after at most this long. */
export const LONG_POLL_MAX_MS = 25_000;

export const SESSION_HEADERS = {
  'cache-control': 'no-store',
  // Tells nginx and similar proxies not to hold the stream back in a buffer.
  'x-accel-buffering': 'no',
} as const;

export interface SessionLimits {
  /** Unsent bytes kept or queued on a socket for one session (MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  /** SESSION_IDLE_MS. */
  idleMs: number;
}

export interface SessionHooks {
  /** The transport dropped what the client did not collect: start the sync over. */
  resync(): void;
  /** The session closed (any reason): the PeerSession ends, the room forgets its presence. */
  closed(code: number): void;
  /** Counted in boardcast_refusals_total. */
  refused(reason: string): void;
}

type Down =
  | { kind: 'sse'; res: ServerResponse; keepalive: NodeJS.Timeout }
  | { kind: 'poll'; res: ServerResponse; after: number; timer: NodeJS.Timeout };

export class HttpSession implements PeerTransport {
  readonly name = 'http';
  private readonly outbox: SessionOutbox;
  private down: Down | null = null;
  private closeInfo: { code: number; reason: string } | null = null;
  private activeRequests = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private pollFlush: NodeJS.Immediate | null = null;
  /** Frames sent while true are a fresh sync: kept until acknowledged, whatever the bound. */
  private resyncing = false;
  hooks: SessionHooks | null = null;

  constructor(
    /** The session id (unguessable), for logs. */
    readonly id: string,
    /** The id (edit or view) the session was created by; every request must name it. */
    readonly boardId: string,
    private readonly limits: SessionLimits,
  ) {
    this.outbox = new SessionOutbox(limits.maxBufferedBytes);
    this.armIdle();
  }

  get isOpen(): boolean {
    return this.closeInfo === null;
  }

  get closed(): { code: number; reason: string } | null {
    return this.closeInfo;
  }

  send(frame: Uint8Array): void {
    if (!this.isOpen) return;
    const entry = this.outbox.push(frame, this.resyncing);
    const down = this.down;
    if (down?.kind === 'sse') this.writeEvents(down.res, [entry]);
    else if (down?.kind === 'poll') this.schedulePollAnswer();
  }

  close(close: CloseCode | { code: number; reason: string }, detail?: string): void {
    if (this.closeInfo) return;
    this.closeInfo = {
      code: close.code,
      reason: detail ? `${close.reason}: ${detail}` : close.reason,
    };
    this.clearIdle();
    this.endDown('close');
    this.hooks?.closed(close.code);
  }

  /** Input is read whole per POST; a throttled session's POST answers wait instead. */
  pause(): void {}
  resume(): void {}

  /** A request of this session started; returns its `done` (idempotent). */
  beginRequest(): () => void {
    this.activeRequests++;
    this.clearIdle();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.activeRequests--;
      if (this.activeRequests === 0 && this.isOpen) this.armIdle();
    };
  }

  acknowledge(seq: number): void {
    if (Number.isSafeInteger(seq) && seq > 0 && seq <= this.outbox.lastSeq)
      this.outbox.acknowledge(seq);
  }

  /** Serves `res` as this session's SSE stream, from the frames after `after`. */
  openStream(res: ServerResponse, after: number): void {
    this.replaceDown();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      ...SESSION_HEADERS,
    });
    res.write('retry: 1000\n\n');
    const pending = this.pending(after);
    if (!this.isOpen) return this.finishStream(res, pending);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const down: Down = { kind: 'sse', res, keepalive };
    this.down = down;
    res.once('close', () => {
      clearInterval(keepalive);
      if (this.down === down) this.down = null;
    });
    this.writeEvents(res, pending);
  }

  /** Answers `res` with the frames after `after`, at once or when the next arrives. */
  poll(res: ServerResponse, after: number, timeoutMs: number): void {
    this.replaceDown();
    const pending = this.pending(after);
    if (pending.length > 0 || !this.isOpen) return this.answerPoll(res, pending);
    const timer = setTimeout(
      () => {
        if (this.down?.res === res) this.down = null;
        res.writeHead(204, SESSION_HEADERS).end();
      },
      Math.min(timeoutMs, LONG_POLL_MAX_MS),
    );
    timer.unref();
    const down: Down = { kind: 'poll', res, after: Math.min(after, this.outbox.lastSeq), timer };
    this.down = down;
    res.once('close', () => {
      clearTimeout(timer);
      if (this.down === down) this.down = null;
    });
  }

  /** Ends whatever is still open when the session is forgotten. */
  dispose(): void {
    this.clearIdle();
    if (this.pollFlush) clearImmediate(this.pollFlush);
    this.endDown('close');
  }

  /** The frames after `after`; when some of them were dropped, a fresh sync instead. */
  private pending(after: number): Numbered[] {
    this.acknowledge(after);
    if (!this.outbox.hasGapAfter(after) || !this.isOpen) return this.outbox.after(after);
    this.hooks?.refused('session_resync');
    const from = this.outbox.lastSeq;
    this.outbox.clear();
    this.resyncing = true;
    try {
      this.hooks?.resync();
    } finally {
      this.resyncing = false;
    }
    return this.outbox.after(from);
  }

  private writeEvents(res: ServerResponse, entries: readonly Numbered[]): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > this.limits.maxBufferedBytes) {
      // It is not reading: cut the stream rather than buffer; it resumes from what it has.
      this.hooks?.refused('slow_reader');
      res.destroy();
      return;
    }
    if (entries.length === 0) return;
    res.write(entries.map(sseEvent).join(''));
  }

  private finishStream(res: ServerResponse, pending: readonly Numbered[]): void {
    if (res.writableEnded || res.destroyed) return;
    this.writeEvents(res, pending);
    res.end(`event: ${SESSION_CLOSE_EVENT}\ndata: ${JSON.stringify(this.closeInfo)}\n\n`);
  }

  private schedulePollAnswer(): void {
    // Frames sent in one tick (a relay and a presence flush) go in one answer.
    this.pollFlush ??= setImmediate(() => {
      this.pollFlush = null;
      const down = this.down;
      if (down?.kind !== 'poll') return;
      const entries = this.outbox.after(down.after);
      if (entries.length === 0) return;
      this.down = null;
      clearTimeout(down.timer);
      this.answerPoll(down.res, entries);
    });
  }

  private answerPoll(res: ServerResponse, entries: readonly Numbered[]): void {
    if (res.writableEnded || res.destroyed) return;
    if (entries.length === 0 && this.closeInfo) {
      const body = JSON.stringify({ error: this.closeInfo.reason, ...this.closeInfo });
      res.writeHead(410, { 'content-type': 'application/json', ...SESSION_HEADERS }).end(body);
      return;
    }
    const body = encodeBatch(entries.map((entry) => entry.frame));
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.byteLength,
      [FIRST_SEQ_HEADER]: String(entries[0]?.seq ?? 0),
      [LAST_SEQ_HEADER]: String(entries[entries.length - 1]?.seq ?? 0),
      ...SESSION_HEADERS,
    });
    res.end(body);
  }

  /** A newer down-request takes over: the old one ends. */
  private replaceDown(): void {
    this.endDown('replaced');
  }

  private endDown(why: 'replaced' | 'close'): void {
    const down = this.down;
    this.down = null;
    if (!down) return;
    if (down.kind === 'sse') {
      clearInterval(down.keepalive);
      if (why === 'close') return this.finishStream(down.res, []);
      if (!down.res.writableEnded) down.res.end(`event: ${SESSION_REPLACED_EVENT}\ndata: {}\n\n`);
      return;
    }
    clearTimeout(down.timer);
    if (why === 'close') return this.answerPoll(down.res, this.outbox.after(down.after));
    const body = JSON.stringify({ error: 'replaced by a newer request of this session' });
    if (!down.res.writableEnded)
      down.res.writeHead(409, { 'content-type': 'application/json', ...SESSION_HEADERS }).end(body);
  }

  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.hooks?.refused('session_idle');
      this.close(CLOSE.TRY_AGAIN_LATER, 'session idle');
    }, this.limits.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

function sseEvent(entry: Numbered): string {
  const data = Buffer.from(entry.frame.buffer, entry.frame.byteOffset, entry.frame.byteLength);
  return `id: ${entry.seq}\ndata: ${data.toString('base64')}\n\n`;
}
