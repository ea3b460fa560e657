/**
 * A WebSocket look-alike over an HTTP session (PROTOCOL.md "HTTP session"), so the stock
 * y-websocket provider syncs over plain HTTP unchanged (its `WebSocketPolyfill`): it sends the
 * same sync step 1/2 on every open, so switching transports never loses or doubles an edit.
 *
 *   open   POST /api/boards/<id>/sessions → the session id
 *   down   SSE (read with fetch, so it sends the token header and sees statuses), resumed with
 *          Last-Event-ID when a request drops; long poll `?after=` when no byte of the stream
 *          arrives within SSE_FIRST_BYTE_MS (a buffering proxy) or it keeps failing
 *   up     POST …/messages?batch=<n>, up to MAX_POSTS_IN_FLIGHT at once, each carrying every
 *          message queued meanwhile; the server applies them in batch order
 *   close  the session's close code arrives as `event: close` or a 410, and is reported as a
 *          WebSocket close with that code; a network failure is a 1006, as for a WebSocket
 *
 * Works in browsers and in Node (tests and the benchmark use it as a client too).
 */
import {
  decodeBatch,
  encodeBatch,
  LAST_SEQ_HEADER,
  SESSION_CLOSE_EVENT,
} from '../../common/protocol/session-framing.ts';

/** No byte of the SSE stream within this long: a proxy buffers it; use long polling. */
export const SSE_FIRST_BYTE_MS = 4_000;
/** A dropped down-request is retried this many times in a row before the socket closes (1006). */
const MAX_DOWN_FAILURES = 4;
const DOWN_RETRY_MS = 500;
/**
 * POSTs up at once: an edit need not wait for the previous batch's commit (at 60 edits a second
 * a single POST in flight doubles the tail latency). Numbered, so order holds.
 */
const MAX_POSTS_IN_FLIGHT = 4;
const ABNORMAL_CLOSE = 1006;

export interface HttpSessionOptions {
  /** Query parameters of every request (JWT mode keeps `token` fresh in this object). */
  params: Record<string, string>;
  /** Start on long polling (SSE known not to work here). */
  longPoll?: boolean;
  /** Told when SSE did not work and long polling took over, to start there next time. */
  onLongPoll?: () => void;
}

type Listener = ((event: never) => void) | null;

/** Returns a class to hand the provider as `WebSocketPolyfill`. */
export function httpSessionSocketClass(options: HttpSessionOptions) {
  return class extends HttpSessionSocket {
    constructor(url: string) {
      super(url, options);
    }
  };
}

export class HttpSessionSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'arraybuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: Listener | ((event: unknown) => void) = null;
  /** Which way messages come down now (for the status line and tests). */
  downMode: 'sse' | 'poll';
  /** HTTP requests made so far (the benchmark reports requests per second per editor). */
  requests = 0;

  private readonly base: string;
  private sessionUrl = '';
  private lastSeq = 0;
  private readonly queue: Uint8Array[] = [];
  /** POSTs not answered yet, and the number of the last batch sent. */
  private inFlight = 0;
  private batches = 0;
  private readonly abort = new AbortController();
  private downFailures = 0;

  constructor(
    url: string,
    private readonly options: HttpSessionOptions,
  ) {
    const parsed = new URL(url);
    const id = parsed.pathname.split('/').pop() ?? '';
    const protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
    this.base = `${protocol}//${parsed.host}/api/boards/${id}/sessions`;
    this.downMode = options.longPoll ? 'poll' : 'sse';
    void this.openSession();
  }

  send(data: Uint8Array | ArrayBuffer): void {
    if (this.readyState !== this.OPEN) return;
    this.queue.push(data instanceof Uint8Array ? data : new Uint8Array(data));
    // Messages sent in one task (sync step 1 and awareness) go up in one POST.
    if (this.queue.length === 1) queueMicrotask(() => void this.flush());
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= this.CLOSING) return;
    const wasOpen = this.sessionUrl !== '';
    this.readyState = this.CLOSING;
    this.abort.abort();
    if (wasOpen) void this.fetch(this.url(this.sessionUrl), { method: 'DELETE' }).catch(() => null);
    this.finish(code, reason);
  }

  private fetch(url: string, init: RequestInit): Promise<Response> {
    this.requests += 1;
    return fetch(url, init);
  }

  private url(path: string, extra: Record<string, string> = {}): string {
    const query = new URLSearchParams({ ...this.options.params, ...extra }).toString();
    return query ? `${path}?${query}` : path;
  }

  private async openSession(): Promise<void> {
    try {
      const response = await this.fetch(this.url(this.base), {
        method: 'POST',
        signal: this.abort.signal,
        cache: 'no-store',
      });
      if (response.status !== 201) return this.fail();
      const { session } = (await response.json()) as { session: string };
      if (this.readyState !== this.CONNECTING) return;
      this.sessionUrl = `${this.base}/${session}`;
      this.readyState = this.OPEN;
      this.onopen?.({});
      void this.readDown();
    } catch {
      this.fail();
    }
  }

  private async flush(): Promise<void> {
    while (this.inFlight < MAX_POSTS_IN_FLIGHT && this.queue.length > 0) {
      if (this.readyState !== this.OPEN) return;
      void this.post(encodeBatch(this.queue.splice(0)), ++this.batches);
    }
  }

  /** One numbered batch up; the server applies batches in number order, whatever the arrival. */
  private async post(batch: Uint8Array, number: number): Promise<void> {
    this.inFlight += 1;
    try {
      const response = await this.fetch(
        this.url(`${this.sessionUrl}/messages`, {
          ack: String(this.lastSeq),
          batch: String(number),
        }),
        {
          method: 'POST',
          body: new Uint8Array(batch),
          headers: { 'content-type': 'application/octet-stream' },
          signal: this.abort.signal,
        },
      );
      if (response.status === 413) return this.finish(1009, 'message too big');
      if (response.status !== 204) return await this.closedBy(response);
    } catch {
      return this.fail();
    } finally {
      this.inFlight -= 1;
    }
    void this.flush();
  }

  private async readDown(): Promise<void> {
    while (this.readyState === this.OPEN) {
      let progressed = false;
      try {
        progressed = this.downMode === 'sse' ? await this.readStream() : await this.readPoll();
      } catch {
        if (this.readyState !== this.OPEN) return;
      }
      this.downFailures = progressed ? 0 : this.downFailures + 1;
      if (this.downFailures >= MAX_DOWN_FAILURES) return this.fail();
      if (!progressed) await new Promise((resolve) => setTimeout(resolve, DOWN_RETRY_MS));
    }
  }

  /** One SSE request; resolves true when it delivered something or ended cleanly. */
  private async readStream(): Promise<boolean> {
    const request = new AbortController();
    const stop = () => request.abort();
    this.abort.signal.addEventListener('abort', stop);
    let firstByte = false;
    const watchdog = setTimeout(() => {
      if (firstByte) return;
      // The stream is held back (a buffering proxy): long polling works through those.
      this.downMode = 'poll';
      this.options.onLongPoll?.();
      request.abort();
    }, SSE_FIRST_BYTE_MS);
    try {
      const response = await this.fetch(
        this.url(`${this.sessionUrl}/events`, { lastEventId: String(this.lastSeq) }),
        { headers: { accept: 'text/event-stream' }, signal: request.signal, cache: 'no-store' },
      );
      if (response.status !== 200 || !response.body) {
        await this.closedBy(response);
        return false;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return true;
        firstByte = true;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.onEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        if (this.readyState !== this.OPEN) return true;
      }
    } catch {
      return this.downMode === 'poll'; // switched: not a failure
    } finally {
      clearTimeout(watchdog);
      this.abort.signal.removeEventListener('abort', stop);
    }
  }

  private onEvent(block: string): void {
    let event = 'message';
    let id = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event === SESSION_CLOSE_EVENT) {
      const closed = JSON.parse(data) as { code: number; reason: string };
      return this.finish(closed.code, closed.reason);
    }
    if (event !== 'message' || !id) return; // `replaced`, comments, retry hints
    this.deliver(Number(id), base64Bytes(data));
  }

  /** One long poll; resolves true when it delivered something or timed out cleanly. */
  private async readPoll(): Promise<boolean> {
    const response = await this.fetch(
      this.url(`${this.sessionUrl}/poll`, { after: String(this.lastSeq) }),
      { signal: this.abort.signal, cache: 'no-store' },
    );
    if (response.status === 204) return true;
    if (response.status !== 200) {
      await this.closedBy(response);
      return false;
    }
    const messages = decodeBatch(new Uint8Array(await response.arrayBuffer()));
    const last = Number(response.headers.get(LAST_SEQ_HEADER));
    messages.forEach((message, i) => this.deliver(last - messages.length + 1 + i, message));
    return true;
  }

  private deliver(seq: number, message: Uint8Array): void {
    if (seq <= this.lastSeq || this.readyState !== this.OPEN) return; // already had it
    this.lastSeq = seq;
    const copy = message.slice().buffer;
    this.onmessage?.({ data: copy });
  }

  /** A session answer that is not a success: its close code (410), or a network-like failure. */
  private async closedBy(response: Response): Promise<void> {
    if (response.status === 410) {
      const closed = (await response.json().catch(() => null)) as {
        code?: number;
        reason?: string;
      } | null;
      return this.finish(closed?.code ?? ABNORMAL_CLOSE, closed?.reason ?? '');
    }
    if (response.status === 404) return this.finish(ABNORMAL_CLOSE, 'session lost');
    if (response.status === 409) return; // replaced by our own newer request
  }

  private fail(): void {
    this.finish(ABNORMAL_CLOSE, '');
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    this.abort.abort();
    this.onclose?.({ code, reason });
  }
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
