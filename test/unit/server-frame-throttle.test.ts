/**
 * The server's per-connection rate limits (server/room/frame-throttle.ts). Buckets and the queue
 * are made only when first needed, so these pin down that the limits hold from the very first
 * message of each kind: a burst is admitted, the next frames wait in order, and a whole burst
 * waiting makes the next frame of that kind a flood.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_TYPE } from '../../common/protocol/message-types.ts';
import {
  FrameThrottle,
  THROTTLE_TICK_MS,
  type FrameKind,
  type ThrottleHandlers,
} from '../../server/room/frame-throttle.ts';
import { delay, waitFor } from '../helpers/clients.ts';

const RATES = { updatesPerSecond: 40, updatesBurst: 4, presencePerSecond: 20, presenceBurst: 2 };

class Recorder implements ThrottleHandlers {
  readonly admitted: number[] = [];
  readonly floods: FrameKind[] = [];
  paused = 0;
  resumed = 0;
  open = true;
  admit(frame: Uint8Array): void {
    this.admitted.push(frame[1] ?? -1);
  }
  pauseInput(): void {
    this.paused++;
  }
  resumeInput(): void {
    this.resumed++;
  }
  flood(kind: FrameKind): void {
    this.floods.push(kind);
  }
  isAccepting(): boolean {
    return this.open;
  }
}

/** A frame of `kind` whose second byte numbers it. */
const frame = (kind: FrameKind, n: number) =>
  new Uint8Array([kind === 'update' ? MESSAGE_TYPE.SYNC : MESSAGE_TYPE.AWARENESS, n]);

describe('server frame throttle', () => {
  it('admits a full burst of a kind on its first frames, even after a long idle', async () => {
    const handlers = new Recorder();
    const throttle = new FrameThrottle(RATES, handlers);
    await delay(50); // idle: nothing made yet, and the first frames still find a full bucket
    for (let n = 0; n < RATES.updatesBurst; n++) throttle.push(frame('update', n));
    assert.deepEqual(handlers.admitted, [0, 1, 2, 3]);
    assert.equal(throttle.pending, 0);
    assert.equal(handlers.paused, 0);
    throttle.dispose();
  });

  it('floods on a never-used presence bucket once a whole burst waits', () => {
    const handlers = new Recorder();
    const throttle = new FrameThrottle(RATES, handlers);
    // burst admitted, burst waiting, then the next presence frame is a flood
    for (let n = 0; n < 2 * RATES.presenceBurst + 1; n++) throttle.push(frame('presence', n));
    assert.deepEqual(handlers.admitted, [0, 1]);
    assert.equal(throttle.pending, RATES.presenceBurst);
    assert.deepEqual(handlers.floods, ['presence']);
    assert.ok(handlers.paused > 0, 'input paused while frames wait');
    throttle.dispose();
  });

  it('lets waiting frames through in order at the rate, then resumes input', async () => {
    const handlers = new Recorder();
    const throttle = new FrameThrottle(RATES, handlers);
    for (let n = 0; n < RATES.updatesBurst + 3; n++) throttle.push(frame('update', n));
    throttle.push(frame('presence', 100)); // behind the waiting updates, in order
    assert.deepEqual(handlers.admitted, [0, 1, 2, 3]);
    await waitFor(() => throttle.pending === 0, 2_000, 'the queue drained');
    assert.deepEqual(handlers.admitted, [0, 1, 2, 3, 4, 5, 6, 100]);
    assert.equal(handlers.resumed, 1);
    assert.deepEqual(handlers.floods, []);
    // Drained: a fresh frame is admitted at once again if its bucket has a token.
    await delay(THROTTLE_TICK_MS * 2);
    throttle.push(frame('update', 7));
    assert.equal(handlers.admitted.at(-1), 7);
    throttle.dispose();
  });

  it('drops what waits once disposed', async () => {
    const handlers = new Recorder();
    const throttle = new FrameThrottle(RATES, handlers);
    for (let n = 0; n < RATES.updatesBurst + 2; n++) throttle.push(frame('update', n));
    throttle.dispose();
    await delay(THROTTLE_TICK_MS * 4);
    assert.deepEqual(handlers.admitted, [0, 1, 2, 3]);
    assert.equal(throttle.pending, 0);
  });
});
