/**
 * One WebSocket frame for many sockets. `ws` frames every `send` on its own (a header buffer
 * and a corked write of header and payload); a broadcast to hundreds of peers is framed once
 * instead, with ws's public `Sender.frame`, header and payload joined into one buffer, and that
 * buffer is written to each socket as is: no per-peer framing, masking (server frames are not
 * masked) or copy, and one plain write per socket (so there is nothing to cork).
 */
import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';
import type { SharedFrame } from '../../room/shared-frame.ts';

const OPCODE_BINARY = 0x2;

interface FrameOptions {
  fin: boolean;
  mask: boolean;
  opcode: number;
  readOnly: boolean;
  rsv1: boolean;
}
interface SenderModule {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
}
const { Sender } = wsModule as unknown as SenderModule; // Sender.frame is public in ws; @types/ws omits it

/** A final, unmasked, uncompressed binary frame carrying `payload`, in one buffer. */
export function frameBinary(payload: Uint8Array): Buffer {
  const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const options = { fin: true, mask: false, opcode: OPCODE_BINARY, readOnly: true, rsv1: false };
  return Buffer.concat(Sender.frame(data, options));
}

/**
 * The TCP socket under `ws`, when frames may be written to it directly; null when they may not
 * (then `writeShared` uses `ws.send`). Writing past ws needs its private `_socket` (ws 8 sets
 * it in setSocket before the connection is handed over): this is the one place that reads it.
 * Not when an extension was negotiated: permessage-deflate would need every frame compressed
 * (the endpoint turns it off, so this is a guard).
 */
export function rawSocketOf(ws: WebSocket): Duplex | null {
  // A private field of ws, read once per connection; see above for why.
  const raw = (ws as unknown as { _socket?: Duplex | null })._socket; // ws's private field: see above
  return raw && ws.extensions === '' ? raw : null;
}

/**
 * Writes `frame` to an open `ws` through `raw` (rawSocketOf), framed once for all sockets.
 * Falls back to `ws.send` without a raw socket, and while ws's own sender holds queued bytes
 * (it queues only while compressing or reading a Blob; `bufferedAmount` is the socket's queue
 * plus the sender's), so a frame never overtakes one sent before it. Bytes written here count in
 * the socket's writable length, so `ws.bufferedAmount` (backpressure) sees them as `send`'s.
 */
export function writeShared(ws: WebSocket, raw: Duplex | null, frame: SharedFrame): void {
  if (raw === null || ws.bufferedAmount !== raw.writableLength) ws.send(frame.bytes);
  else raw.write(frame.wire(frameBinary));
}
