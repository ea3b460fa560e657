/**
 * A cursor mover: sends awareness updates built by hand (no Awareness instance). An observer
 * is a lean socket that counts the awareness frames it receives and reads cursor latency;
 * everyone else is a raw sink that never looks at what it receives, so 200 movers do not
 * make the bench the bottleneck. The state follows the contract:
 * `{ user: { name, color }, cursor: { x, y }, selection: [] }`; cursor.x carries the send time
 * relative to a shared epoch (see marker.ts), which keeps it a plausible board coordinate.
 *
 *   awarenessUpdate = varUint(1) varUint(clientId) varUint(clock) varString(stateJson)
 */
import * as encoding from 'lib0/encoding';
import { awarenessFrame, type RoomAddress } from './dialect.ts';
import { cursorFrameHandler, type ReceiveStats } from './lean-reader.ts';
import { LeanSocket } from './lean-socket.ts';
import { RawSink } from './raw-sink.ts';

/** What a mover needs from its connection. */
interface Sender {
  readonly address: RoomAddress;
  send(frame: Uint8Array): void;
  close(): Promise<void>;
}

/** y-protocols client ids are uint32. */
const MAX_CLIENT_ID = 0xffff_ffff;

export class PresenceClient {
  private clock = 0;
  private readonly clientId = 1 + Math.floor(Math.random() * (MAX_CLIENT_ID - 1));

  private constructor(
    private readonly socket: Sender,
    private readonly index: number,
    private readonly epochMs: number,
  ) {}

  /** An observer: counts awareness frames into `stats` and records cursor latency. */
  static async observer(
    address: RoomAddress,
    index: number,
    stats: ReceiveStats,
    epochMs: number,
    timeoutMs: number,
  ): Promise<PresenceClient> {
    const handler = cursorFrameHandler(stats, epochMs);
    const { socket } = await LeanSocket.open(address, handler, timeoutMs);
    return new PresenceClient(socket, index, epochMs);
  }

  /** A mover that ignores everything it receives. */
  static async mover(
    address: RoomAddress,
    index: number,
    epochMs: number,
    timeoutMs: number,
  ): Promise<PresenceClient> {
    return new PresenceClient(await RawSink.open(address, timeoutMs), index, epochMs);
  }

  /** Sends one cursor position, stamped with the current time. */
  move(): void {
    this.clock += 1;
    const x = (performance.now() - this.epochMs).toFixed(2);
    const y = (this.index * 7 + this.clock) % 1_000;
    const state = `{"user":{"name":"bench ${this.index}","color":"#3366ff"},"cursor":{"x":${x},"y":${y}},"selection":[]}`;
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, 1);
    encoding.writeVarUint(update, this.clientId);
    encoding.writeVarUint(update, this.clock);
    encoding.writeVarString(update, state);
    this.socket.send(awarenessFrame(this.socket.address, encoding.toUint8Array(update)));
  }

  close(): Promise<void> {
    return this.socket.close();
  }
}
