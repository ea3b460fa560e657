/**
 * A writer: one shape in its own small Y.Doc, laid out as the contract says (through
 * common/board), whose `x` and `text` change every tick. `text` carries the latency marker.
 * Updates are sent as raw sync-update frames; whatever the server sends back is ignored.
 */
import * as Y from 'yjs';
import { addShapes, readShape, updateShapes } from '../../common/board/board-doc.ts';
import { SHAPE_DEFAULTS, type Shape } from '../../common/board/shape.ts';
import { syncUpdateFrame, type RoomAddress } from './dialect.ts';
import { ignoreFrames } from './lean-reader.ts';
import { LeanSocket } from './lean-socket.ts';
import { editMarker } from './marker.ts';

export function benchShape(id: string, index: number): Shape {
  return {
    ...SHAPE_DEFAULTS,
    id,
    type: 'text',
    x: (index % 50) * 120,
    y: Math.floor(index / 50) * 60,
    width: 110,
    height: 40,
    points: [],
    text: `shape ${index}`,
  };
}

export class LeanWriter {
  readonly doc = new Y.Doc();
  private seq = 0;

  private constructor(
    private readonly socket: LeanSocket,
    readonly shapeId: string,
  ) {
    this.doc.on('update', (update: Uint8Array) =>
      socket.send(syncUpdateFrame(socket.address, update)),
    );
  }

  static async open(
    address: RoomAddress,
    shapeId: string,
    index: number,
    timeoutMs: number,
  ): Promise<LeanWriter> {
    const { socket } = await LeanSocket.open(address, ignoreFrames, timeoutMs);
    const writer = new LeanWriter(socket, shapeId);
    addShapes(writer.doc, [benchShape(shapeId, index)]);
    return writer;
  }

  /** One edit: move the shape and stamp a fresh marker into its text. */
  edit(): void {
    this.seq += 1;
    const x = this.seq % 1_000;
    const text = editMarker(this.seq, performance.now());
    updateShapes(this.doc, new Map([[this.shapeId, { x, text }]]));
  }

  /** Sends an update made elsewhere (a seeding chunk) on this writer's socket, before its edits. */
  sendUpdate(update: Uint8Array): void {
    this.socket.send(syncUpdateFrame(this.socket.address, update));
  }

  /** The fields every converged client must show for this writer's shape. */
  expected(): Shape | null {
    return readShape(this.doc, this.shapeId);
  }

  get backlogBytes(): number {
    return this.socket.bufferedAmount;
  }

  close(): Promise<void> {
    this.doc.destroy();
    return this.socket.close();
  }
}
