/**
 * The peers of one room and how frames reach them. Each broadcast frame is encoded once and the
 * same bytes go to every peer. Presence goes first under backpressure: a peer that is behind
 * skips a presence frame and gets the whole presence with the next one it can take.
 */
import type { CloseCode } from '../../common/protocol/close-codes.ts';
import type { Metrics } from '../metrics.ts';
import type { Peer } from './peer.ts';
import { SharedFrame } from './shared-frame.ts';

export class RoomPeers {
  private readonly peers = new Set<Peer>();
  /** Peers that missed a presence frame (they were behind): they get the whole presence next. */
  private readonly presenceBehind = new Set<Peer>();

  constructor(
    private readonly metrics: Metrics,
    /** Every present state in one frame (null when there is none), for a peer catching up. */
    private readonly wholePresence: () => Uint8Array | null,
  ) {}

  get size(): number {
    return this.peers.size;
  }

  has(peer: Peer): boolean {
    return this.peers.has(peer);
  }

  add(peer: Peer): void {
    this.peers.add(peer);
  }

  /** False when `peer` was not here. */
  delete(peer: Peer): boolean {
    this.presenceBehind.delete(peer);
    return this.peers.delete(peer);
  }

  [Symbol.iterator](): IterableIterator<Peer> {
    return this.peers.values();
  }

  /** Sends one frame to every peer except `except`. */
  broadcast(frame: Uint8Array, except: Peer | null = null): void {
    const started = performance.now();
    const shared = new SharedFrame(frame);
    let sent = 0;
    for (const peer of this.peers) {
      if (peer === except) continue;
      if (peer.sendShared) peer.sendShared(shared);
      else peer.send(frame);
      sent++;
    }
    this.metrics.messagesOut.inc(sent);
    this.metrics.bytesOut.inc(sent * frame.byteLength);
    this.metrics.broadcastSeconds.inc({ kind: 'update' }, (performance.now() - started) / 1_000);
  }

  /**
   * Sends a presence frame to every peer. A peer that is behind skips it and gets the whole
   * presence with the next frame it can take.
   */
  broadcastPresence(frame: Uint8Array): void {
    const started = performance.now();
    const shared = new SharedFrame(frame);
    let sent = 0;
    let bytes = 0;
    let whole: SharedFrame | undefined;
    for (const peer of this.peers) {
      if (!peer.sendPresence) {
        peer.send(frame);
      } else if (this.presenceBehind.has(peer)) {
        whole ??= this.wholePresenceFrame(shared);
        if (!peer.sendPresence(whole)) continue;
        this.presenceBehind.delete(peer);
        bytes += whole.bytes.byteLength - frame.byteLength;
      } else if (!peer.sendPresence(shared)) {
        this.presenceBehind.add(peer);
        continue;
      }
      sent++;
      bytes += frame.byteLength;
    }
    this.metrics.messagesOut.inc(sent);
    this.metrics.bytesOut.inc(bytes);
    this.metrics.broadcastSeconds.inc({ kind: 'presence' }, (performance.now() - started) / 1_000);
  }

  /** The whole presence (or `frame` when there is none), shared by the peers catching up. */
  private wholePresenceFrame(frame: SharedFrame): SharedFrame {
    const whole = this.wholePresence();
    return whole ? new SharedFrame(whole) : frame;
  }

  closeAll(close: CloseCode, detail?: string): void {
    for (const peer of [...this.peers]) peer.close(close, detail);
  }

  clear(): void {
    this.peers.clear();
    this.presenceBehind.clear();
  }
}
