/**
 * Readers: lean sockets whose frame handler only counts frames and, when measuring, scans the
 * raw bytes for latency markers. One `ReceiveStats` is shared by a group of readers so the
 * hot path does no allocation beyond what `ws` does.
 */
import { SampleRecorder } from '../stats.ts';
import { isAwarenessFrame, isDocumentFrame, type RoomAddress } from './dialect.ts';
import { LeanSocket, type FrameHandler, type JoinedSocket } from './lean-socket.ts';
import { scanCursorMarkers, scanEditMarkers } from './marker.ts';

export class ReceiveStats {
  /** Document frames (sync step 2 or update) received. */
  docFrames = 0;
  /** Awareness frames received. */
  awarenessFrames = 0;
  /** Markers found: one per update (or cursor) delivered to one reader. */
  deliveries = 0;
  readonly latency = new SampleRecorder();
  /** Off during warm-up, so only the measured window counts. */
  measuring = false;

  reset(): void {
    this.docFrames = 0;
    this.awarenessFrames = 0;
    this.deliveries = 0;
    this.latency.reset();
  }
}

/** Counts document frames and records edit latency from `~m…~` markers. */
export function editFrameHandler(stats: ReceiveStats): FrameHandler {
  return (data, prefix, receivedAtMs) => {
    if (!stats.measuring || !isDocumentFrame(data, prefix)) return;
    stats.docFrames += 1;
    stats.deliveries += scanEditMarkers(data, (sentAtMs) =>
      stats.latency.add(receivedAtMs - sentAtMs),
    );
  };
}

/** Counts awareness frames and records cursor latency (cursor.x: send time after `epochMs`). */
export function cursorFrameHandler(stats: ReceiveStats, epochMs: number): FrameHandler {
  return (data, prefix, receivedAtMs) => {
    if (!stats.measuring || !isAwarenessFrame(data, prefix)) return;
    stats.awarenessFrames += 1;
    stats.deliveries += scanCursorMarkers(data, (x) =>
      stats.latency.add(receivedAtMs - (epochMs + x)),
    );
  };
}

/** A frame handler for sockets whose frames we do not look at (writers, idle connections). */
export const ignoreFrames: FrameHandler = () => {};

export function openReader(
  address: RoomAddress,
  stats: ReceiveStats,
  timeoutMs: number,
): Promise<JoinedSocket> {
  return LeanSocket.open(address, editFrameHandler(stats), timeoutMs);
}
