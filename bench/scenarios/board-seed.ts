/**
 * Big boards for the big-board and join-storm scenarios. A board is built as independent chunk
 * updates (each chunk's shapes in their own small Y.Doc: the bench never holds the whole board
 * as a Y.Doc) and sent over the wire by a lean writer, one chunk per update, so every server
 * takes it through its ordinary update path and within its documented limits (Boardcast: 8 MiB
 * and 400,000 structs per update). The writer then edits its own shape: a reader that joined
 * before seeding sees that marker once the server applied (Boardcast: committed) every chunk
 * before it, because one socket's messages are handled in order.
 */
import * as Y from 'yjs';
import { addShapes } from '../../common/board/board-doc.ts';
import { LeanSocket, type JoinedSocket } from '../clients/lean-socket.ts';
import { LeanWriter, benchShape } from '../clients/lean-writer.ts';
import { scanEditMarkers } from '../clients/marker.ts';
import { waitFor } from '../clients/ticker.ts';
import type { RunningServer } from '../servers/launch.ts';
import { JOIN_TIMEOUT_MS } from './modes.ts';

/** Shapes per seeding update: 2 MB and ~95,000 structs, far inside every server's limits. */
export const SEED_CHUNK_SHAPES = 5_000;

/** Yjs items one bench shape is stored as: its entry in `shapes`, and one per field. */
export function itemsPerShape(): number {
  const { id: _id, ...fields } = benchShape('s0', 0); // the id is the entry's key, not a field
  return 1 + Object.values(fields).filter((value) => value !== undefined).length;
}

/** The board as chunk updates of `SEED_CHUNK_SHAPES` shapes each. */
export function boardChunks(shapes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < shapes; start += SEED_CHUNK_SHAPES) {
    const doc = new Y.Doc();
    const count = Math.min(SEED_CHUNK_SHAPES, shapes - start);
    addShapes(
      doc,
      Array.from({ length: count }, (_, offset) =>
        benchShape(`s${start + offset}`, start + offset),
      ),
    );
    chunks.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return chunks;
}

/** Watches a socket's frames for edit markers (a joined reader). */
export class MarkerWatch {
  seen = 0;
  /** Bytes of the sync step 2 this socket got when it joined (the board as the server sent it). */
  step2Bytes = 0;
  readonly handler = (data: Buffer, prefix: number): void => {
    if (this.step2Bytes === 0 && data[prefix] === 0 && data[prefix + 1] === 1)
      this.step2Bytes = data.byteLength;
    this.seen += scanEditMarkers(data, () => undefined);
  };
}

export interface SeededBoard {
  writer: LeanWriter;
  /** Joined before seeding, still open. */
  watcher: JoinedSocket;
  watch: MarkerWatch;
  /** Whether the server applied every chunk (the marker after them arrived) in time. */
  ok: boolean;
  /** Encoded bytes of all chunks. */
  chunkBytes: number;
  seedMs: number;
}

export async function seedOverWire(
  server: RunningServer,
  room: string,
  chunks: readonly Uint8Array[],
  timeoutMs: number,
): Promise<SeededBoard> {
  const address = server.address(room);
  const watch = new MarkerWatch();
  const watcher = await LeanSocket.open(address, watch.handler, JOIN_TIMEOUT_MS);
  const writer = await LeanWriter.open(address, 'seed-marker', 0, JOIN_TIMEOUT_MS);
  const started = performance.now();
  for (const chunk of chunks) writer.sendUpdate(chunk);
  writer.edit();
  const ok = await waitFor(() => watch.seen > 0, timeoutMs, 20);
  return {
    writer,
    watcher,
    watch,
    ok,
    chunkBytes: chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0),
    seedMs: performance.now() - started,
  };
}

/** Joins one lean reader that only watches for markers. */
export async function joinWatching(
  server: RunningServer,
  room: string,
): Promise<{ joined: JoinedSocket; watch: MarkerWatch }> {
  const watch = new MarkerWatch();
  const joined = await LeanSocket.open(server.address(room), watch.handler, JOIN_TIMEOUT_MS);
  return { joined, watch };
}
