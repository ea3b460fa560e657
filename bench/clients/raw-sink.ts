/**
 * The leanest possible participant: a WebSocket spoken by hand over a TCP socket. It parses
 * frames only until it has joined (sync step 2 seen); after that it sends frames but never
 * looks at what arrives, so receiving costs the bench one buffer per TCP read instead of one
 * `ws` message event per frame. Used where many clients must be present but only a few need
 * to measure (presence). It does not answer pings, which is fine for runs far shorter than
 * any server's ping interval (30 s for all three).
 *
 *   frame (server → client) = byte(FIN|opcode) byte(len7) [uint16|uint64 len] payload
 *   frame (client → server) = byte(FIN|opcode) byte(0x80|len7) [len] mask[4] payload ^ mask
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { isSyncStep2, joinFrames, prefixLength, type RoomAddress } from './dialect.ts';

const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const FIN = 0x80;
const MASKED = 0x80;
const HEADER_END = '\r\n\r\n';
const CLOSE_NORMAL = 1000;

/** Encodes one masked client frame. */
function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extra + 4 + length);
  frame[0] = FIN | opcode;
  frame[1] = MASKED | (extra === 0 ? length : extra === 2 ? 126 : 127);
  if (extra === 2) frame.writeUInt16BE(length, 2);
  if (extra === 8) frame.writeBigUInt64BE(BigInt(length), 2);
  const maskAt = 2 + extra;
  randomBytes(4).copy(frame, maskAt);
  for (let index = 0; index < length; index++) {
    frame[maskAt + 4 + index] =
      (payload[index] as number) ^ (frame[maskAt + (index & 3)] as number);
  }
  return frame;
}

/** The most bytes of a frame header: opcode, length byte, 64-bit length. */
const MAX_HEADER_BYTES = 10;

/**
 * Reads unmasked server frames as they stream in without keeping their payloads: each frame is
 * handed over as its first `keep` bytes (enough to tell what it is), the rest is only counted.
 * A 4 MB sync step 2 thus costs the bench no reassembly and no copy, just the TCP reads.
 */
export class FrameScanner {
  /** Bytes of a header split across reads (fewer than MAX_HEADER_BYTES). */
  private partial: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame still to come; -1 between frames. */
  private left = -1;
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(
    private readonly keep: number,
    private readonly onFrame: (head: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.partial.length > 0) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = Buffer.alloc(0);
    }
    let offset = 0;
    while (offset < data.length) {
      if (this.left < 0) {
        const header = readHeader(data, offset);
        if (!header) break;
        offset += header.bytes;
        this.left = header.length;
        this.head = [];
        this.headBytes = 0;
        if (this.left === 0) this.finish();
        continue;
      }
      const take = Math.min(this.left, data.length - offset);
      const kept = Math.min(take, this.keep - this.headBytes);
      if (kept > 0) {
        this.head.push(data.subarray(offset, offset + kept));
        this.headBytes += kept;
      }
      this.left -= take;
      offset += take;
      if (this.left === 0) this.finish();
    }
    // Copied, so a big read is not kept alive by the few header bytes left of it.
    if (offset < data.length) this.partial = Buffer.from(data.subarray(offset));
  }

  private finish(): void {
    this.left = -1;
    this.onFrame(Buffer.concat(this.head));
    this.head = [];
  }
}

/** A frame header at `offset`: its size and the payload length; null when incomplete. */
function readHeader(data: Buffer, offset: number): { bytes: number; length: number } | null {
  if (data.length - offset < 2) return null;
  const len7 = (data[offset + 1] as number) & 0x7f;
  const extra = len7 < 126 ? 0 : len7 === 126 ? 2 : MAX_HEADER_BYTES - 2;
  if (data.length - offset < 2 + extra) return null;
  const length =
    extra === 0
      ? len7
      : extra === 2
        ? data.readUInt16BE(offset + 2)
        : Number(data.readBigUInt64BE(offset + 2));
  return { bytes: 2 + extra, length };
}

export class RawSink {
  private constructor(
    private readonly socket: net.Socket,
    readonly address: RoomAddress,
  ) {}

  /** Upgrades, joins, and resolves once sync step 2 arrived; from then on input is ignored. */
  static open(address: RoomAddress, timeoutMs: number): Promise<RawSink> {
    const url = new URL(address.url);
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const prefix = prefixLength(address);
    return new Promise((resolve, reject) => {
      let handshake: Buffer = Buffer.alloc(0);
      let upgraded = false;
      const timer = setTimeout(
        () => fail(new Error(`raw join timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const joined = () => {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        socket.resume();
        resolve(new RawSink(socket, address));
      };
      socket.on('error', fail);
      socket.on('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(
          `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let done = false;
      const frames = new FrameScanner(prefix + 2, (head) => {
        done ||= isSyncStep2(head, prefix);
      });
      socket.on('data', (chunk: Buffer) => {
        if (!upgraded) {
          handshake = Buffer.concat([handshake, chunk]);
          const end = handshake.indexOf(HEADER_END);
          if (end === -1) return;
          const status = handshake.subarray(0, end).toString('latin1').split('\r\n', 1)[0] ?? '';
          if (!status.includes(' 101 ')) return fail(new Error(`upgrade refused: ${status}`));
          upgraded = true;
          for (const frame of joinFrames(address)) socket.write(encodeFrame(OPCODE_BINARY, frame));
          chunk = handshake.subarray(end + HEADER_END.length);
        }
        frames.push(chunk);
        if (done) joined();
      });
    });
  }

  send(payload: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(OPCODE_BINARY, payload));
  }

  /** Sends a close frame and ends the connection; does not wait for the server's answer. */
  close(): Promise<void> {
    if (!this.socket.destroyed) {
      const code = Buffer.alloc(2);
      code.writeUInt16BE(CLOSE_NORMAL);
      this.socket.end(encodeFrame(OPCODE_CLOSE, code));
      this.socket.destroySoon();
    }
    return Promise.resolve();
  }
}
