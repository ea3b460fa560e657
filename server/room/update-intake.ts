/**
 * How a peer's update enters a room: through the gate (update-gate.ts) into the commit queue,
 * into the held updates when it arrived before what it builds on (held-updates.ts), or out,
 * closing its sender. Held updates are gated again, whole, whenever the board advances: an
 * update accepted into the queue, a committed run applied, another instance's update, a resync.
 */
import type * as Y from 'yjs';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import type { Metrics } from '../metrics.ts';
import type { CommitQueue } from './commit-queue.ts';
import { HeldUpdates, type HeldLimits } from './held-updates.ts';
import type { Peer } from './peer.ts';
import type { Refusal } from './refusal.ts';
import { checkUpdate, needsMet, type UpdateLimits } from './update-gate.ts';

export const STORAGE_REFUSAL: Refusal = {
  close: CLOSE.TRY_AGAIN_LATER,
  detail: 'storage unavailable',
  reason: 'storage_unavailable',
};

export interface UpdateIntakeDeps {
  doc: Y.Doc;
  commits: CommitQueue;
  metrics: Metrics;
  held: HeldLimits;
  limits?: UpdateLimits;
  /** Closes a peer whose held update waited too long or was refused on its second look. */
  refuse(peer: Peer, refusal: Refusal): void;
}

export class UpdateIntake {
  private readonly held: HeldUpdates;
  private releasing = false;

  constructor(private readonly deps: UpdateIntakeDeps) {
    this.held = new HeldUpdates(deps.held, (peers) => {
      for (const peer of peers)
        deps.refuse(peer, {
          close: CLOSE.TRY_AGAIN_LATER,
          detail: `held updates waited ${deps.held.maxMs} ms for what they build on; reconnect to resync`,
          reason: 'held_timeout',
        });
    });
  }

  /** A peer's update; returns why to close the peer, or null (accepted or held). */
  receive(peer: Peer, update: Uint8Array): Refusal | null {
    if (this.deps.commits.storageFailing) return STORAGE_REFUSAL;
    return this.admit(peer, update, Date.now(), performance.now());
  }

  /** The board advanced: held updates that now have what they needed are gated again. */
  release(): void {
    if (this.held.size === 0 || this.releasing) return;
    this.releasing = true;
    try {
      for (;;) {
        const { doc, commits } = this.deps;
        const ready = this.held.takeReady((needs) => needsMet(needs, doc, commits.queued));
        if (ready.length === 0) break;
        for (const { peer, update, heldSince } of ready) {
          const refusal = this.admit(peer, update, heldSince, performance.now());
          if (!refusal) continue;
          this.held.drop(peer);
          this.deps.refuse(peer, refusal);
        }
      }
    } finally {
      this.releasing = false;
    }
  }

  /** Forgets what `peer` had held (it left). */
  drop(peer: Peer): void {
    this.held.drop(peer);
  }

  destroy(): void {
    this.held.destroy();
  }

  /** `arrivedAt`: when it arrived, or was released from the held updates (performance.now()). */
  private admit(
    peer: Peer,
    update: Uint8Array,
    heldSince: number,
    arrivedAt: number,
  ): Refusal | null {
    const { doc, commits } = this.deps;
    if (commits.storageFailing) return STORAGE_REFUSAL;
    const verdict = checkUpdate(update, doc, this.deps.limits, commits.queued);
    switch (verdict.kind) {
      case 'refuse':
        return {
          close: verdict.close,
          detail: verdict.detail,
          reason: `gate_${verdict.close.code}`,
        };
      case 'hold':
        if (!this.held.hold({ peer, update, needs: verdict.needs, heldSince }))
          return {
            close: CLOSE.TRY_AGAIN_LATER,
            detail: 'too many updates waiting for what they build on; reconnect to resync',
            reason: 'held_limit',
          };
        this.deps.metrics.heldUpdates.inc();
        return null;
      case 'accept':
        commits.submitPeerWrite({ peer, update, decoded: verdict.decoded, arrivedAt });
        this.release();
        return null;
    }
  }
}
