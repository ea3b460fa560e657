/**
 * A full Yjs client for either dialect: keeps a Y.Doc in sync both ways with y-protocols.
 * Used sparingly (seeding boards, checking convergence at the end), never as load.
 * The stock y-websocket provider is not used because it cannot speak the Hocuspocus dialect.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { readShape } from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import {
  MSG_HOCUSPOCUS_SYNC_REPLY,
  MSG_SYNC,
  joinFrames,
  syncUpdateFrame,
  type RoomAddress,
} from './dialect.ts';
import { waitFor } from './ticker.ts';

export class FullClient {
  readonly doc = new Y.Doc();
  synced = false;
  private readonly ws: WebSocket;

  private constructor(private readonly address: RoomAddress) {
    this.ws = new WebSocket(address.url, { perMessageDeflate: false });
    this.ws.on('open', () => {
      for (const frame of joinFrames(address, Y.encodeStateVector(this.doc))) this.ws.send(frame);
    });
    this.ws.on('message', (raw) => this.receive(new Uint8Array(raw as Buffer)));
    // A socket error ends in 'close'; `open` and the convergence check see the closed state.
    this.ws.on('error', () => this.ws.terminate());
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(syncUpdateFrame(address, update));
      }
    });
  }

  /** Connects and resolves once the server's state has been applied (sync step 2). */
  static async open(address: RoomAddress, timeoutMs: number): Promise<FullClient> {
    const client = new FullClient(address);
    const ok = await waitFor(
      () => client.synced || client.ws.readyState === WebSocket.CLOSED,
      timeoutMs,
    );
    if (!ok || !client.synced) {
      client.ws.terminate();
      throw new Error(`full client did not sync within ${timeoutMs} ms`);
    }
    return client;
  }

  private receive(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    if (this.address.dialect === 'hocuspocus') decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type !== MSG_SYNC && type !== MSG_HOCUSPOCUS_SYNC_REPLY) return;
    const reply = encoding.createEncoder();
    if (this.address.dialect === 'hocuspocus') encoding.writeVarString(reply, this.address.room);
    encoding.writeVarUint(reply, MSG_SYNC);
    const emptyLength = encoding.length(reply);
    const syncType = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
    if (syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
    if (encoding.length(reply) > emptyLength && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(encoding.toUint8Array(reply));
    }
  }

  shape(id: string): Shape | null {
    return readShape(this.doc, id);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2_000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close();
      this.doc.destroy();
    });
  }
}

/** Whether every client shows exactly the expected shapes, waiting up to `timeoutMs`. */
export function waitConverged(
  clients: readonly FullClient[],
  expected: readonly Shape[],
  timeoutMs: number,
): Promise<boolean> {
  const same = (a: Shape | null, b: Shape) => a !== null && JSON.stringify(a) === JSON.stringify(b);
  return waitFor(
    () => clients.every((client) => expected.every((shape) => same(client.shape(shape.id), shape))),
    timeoutMs,
    50,
  );
}
