/**
 * HTTP-session clients for tests: the stock y-websocket provider over the editor's own
 * HttpSessionSocket (client/editor/http-session-socket.ts), and a raw session spoken by hand
 * (create, SSE or long poll down, POST up) for what a provider never does (stop reading, forge
 * ids, drop a stream mid-way).
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { httpSessionSocketClass } from '../../client/editor/http-session-socket.ts';
import {
  encodeBatch,
  LAST_SEQ_HEADER,
  decodeBatch,
} from '../../common/protocol/session-framing.ts';
import { stockClientOf, type StockClient } from './clients.ts';

/** The stock provider syncing over an HTTP session (SSE down, or long poll with `longPoll`). */
export function connectHttpClient(
  wsUrl: string,
  boardId: string,
  options: { params?: Record<string, string>; longPoll?: boolean; doc?: Y.Doc } = {},
): StockClient {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, boardId, doc, {
    WebSocketPolyfill: httpSessionSocketClass({
      params: options.params ?? {},
      longPoll: options.longPoll,
    }) as unknown as typeof globalThis.WebSocket, // a WebSocket look-alike; its types differ
    disableBc: true,
    maxBackoffTime: 200,
    params: options.params ?? {},
  });
  return stockClientOf(provider, doc);
}

export interface SseEvent {
  event: string;
  id: string;
  data: string;
}

/** A session driven by hand. */
export class RawSession {
  constructor(
    readonly base: string,
    readonly sid: string,
    readonly query = '',
  ) {}

  static async create(httpUrl: string, boardId: string, query = ''): Promise<RawSession> {
    const base = `${httpUrl}/api/boards/${boardId}/sessions`;
    const response = await fetch(`${base}${query}`, { method: 'POST' });
    if (response.status !== 201) throw new Error(`create: ${response.status}`);
    const { session } = (await response.json()) as { session: string };
    return new RawSession(base, session, query);
  }

  url(suffix: string, extra = ''): string {
    const join = this.query ? `${this.query}&` : '?';
    return `${this.base}/${this.sid}${suffix}${extra ? `${join}${extra}` : this.query}`;
  }

  post(messages: Uint8Array[], batch?: number): Promise<Response> {
    return fetch(this.url('/messages', batch === undefined ? '' : `batch=${batch}`), {
      method: 'POST',
      body: new Uint8Array(encodeBatch(messages)),
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  /** One long poll: the messages after `after`, with their sequence numbers. */
  async poll(after: number, timeoutMs = 2_000) {
    const response = await fetch(this.url('/poll', `after=${after}&timeout=${timeoutMs}`));
    if (response.status !== 200) return { status: response.status, messages: [], last: after };
    const messages = decodeBatch(new Uint8Array(await response.arrayBuffer()));
    return { status: 200, messages, last: Number(response.headers.get(LAST_SEQ_HEADER)) };
  }

  /** Opens the SSE stream; events arrive in `events` until `close()`. */
  stream(lastEventId?: number): RawStream {
    return new RawStream(this.url('/events'), lastEventId);
  }
}

export class RawStream {
  readonly events: SseEvent[] = [];
  readonly controller = new AbortController();
  status = 0;
  headers: Headers | null = null;
  ended = false;
  readonly done: Promise<void>;

  constructor(url: string, lastEventId?: number) {
    const headers: Record<string, string> = {};
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    this.done = this.read(url, headers).catch(() => {});
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    const response = await fetch(url, { headers, signal: this.controller.signal });
    this.status = response.status;
    this.headers = response.headers;
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', id: '', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('data: ')) event.data += line.slice(6);
          else if (line.startsWith(':')) event.event = 'comment';
        }
        if (block.startsWith('retry:')) continue;
        this.events.push(event);
      }
    }
    this.ended = true;
  }

  messages(): SseEvent[] {
    return this.events.filter((event) => event.event === 'message');
  }

  close(): void {
    this.controller.abort();
  }
}
