/**
 * The minimal client: opens a WebSocket, sends just enough to join (see dialect.ts) and hands
 * every received frame, undecoded, to a callback. It never answers the server, so the load
 * generator spends its time receiving, not running Yjs.
 */
import WebSocket from 'ws';
import { isSyncStep2, joinFrames, prefixLength, type RoomAddress } from './dialect.ts';

/** A server that has not completed the close handshake by then is overloaded; cut the socket. */
const CLOSE_TIMEOUT_MS = 500;

export type FrameHandler = (data: Buffer, prefix: number, receivedAtMs: number) => void;

export interface JoinedSocket {
  socket: LeanSocket;
  /** From starting to connect until sync step 2 arrived. */
  joinMs: number;
}

export class LeanSocket {
  readonly prefix: number;
  private readonly ws: WebSocket;
  closeCode: number | null = null;

  private constructor(
    readonly address: RoomAddress,
    ws: WebSocket,
  ) {
    this.ws = ws;
    this.prefix = prefixLength(address);
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  /**
   * Connects and joins; resolves once the server answered our sync step 1 with step 2, which
   * every server here sends only after the connection is part of the room.
   */
  static open(
    address: RoomAddress,
    onFrame: FrameHandler,
    timeoutMs: number,
  ): Promise<JoinedSocket> {
    const startedAt = performance.now();
    const ws = new WebSocket(address.url, { perMessageDeflate: false, skipUTF8Validation: true });
    const socket = new LeanSocket(address, ws);
    return new Promise<JoinedSocket>((resolve, reject) => {
      let joined = false;
      const timer = setTimeout(
        () => fail(new Error(`join timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        if (joined) return;
        joined = true;
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.on('error', fail);
      ws.on('close', (code) => fail(new Error(`closed with ${code} before joining`)));
      ws.on('open', () => {
        for (const frame of joinFrames(address)) ws.send(frame);
      });
      ws.on('message', (raw) => {
        const data = raw as Buffer;
        const now = performance.now();
        if (!joined && isSyncStep2(data, socket.prefix)) {
          joined = true;
          clearTimeout(timer);
          resolve({ socket, joinMs: now - startedAt });
        }
        onFrame(data, socket.prefix, now);
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Bytes queued in this socket but not yet written: a backlog means we send too fast. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Closes, and resolves once closed (or after `timeoutMs`, when the socket is cut). */
  close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, timeoutMs);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close();
    });
  }
}

/** Opens `count` sockets with at most `concurrency` handshakes in flight at once. */
export async function openMany(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<JoinedSocket>,
): Promise<JoinedSocket[]> {
  const joined: JoinedSocket[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      joined[index] = await open(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return joined;
}

export async function closeAll(sockets: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(sockets.map((socket) => socket.close()));
}
