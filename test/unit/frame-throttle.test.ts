/**
 * The editor's frame throttle (client/editor/frame-throttle.ts): a drag or a shape being drawn
 * writes at most once per animation frame and never sooner than FRAME_MIN_INTERVAL_MS, so a
 * 144 Hz screen still sends about 60 updates a second (the server allows RATE_UPDATES_PER_S, 120).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FRAME_MIN_INTERVAL_MS, FrameThrottle } from '../../client/editor/frame-throttle.ts';

/** A hand-driven requestAnimationFrame: `frame(at)` runs what was requested, at time `at`. */
function fakeFrames() {
  let callbacks = new Map<number, FrameRequestCallback>();
  let next = 1;
  const saved = { raf: globalThis.requestAnimationFrame, caf: globalThis.cancelAnimationFrame };
  globalThis.requestAnimationFrame = (callback) => {
    callbacks.set(next, callback);
    return next++;
  };
  globalThis.cancelAnimationFrame = (id) => void callbacks.delete(id);
  return {
    frame(at: number) {
      const due = callbacks;
      callbacks = new Map();
      for (const callback of due.values()) callback(at);
    },
    restore() {
      globalThis.requestAnimationFrame = saved.raf;
      globalThis.cancelAnimationFrame = saved.caf;
    },
  };
}

describe('FrameThrottle', () => {
  let frames: ReturnType<typeof fakeFrames>;
  beforeEach(() => (frames = fakeFrames()));
  afterEach(() => frames.restore());

  /** Schedules a write before every frame of a `hz` screen for one second; counts the writes. */
  function writesPerSecond(hz: number): number {
    const throttle = new FrameThrottle();
    let runs = 0;
    for (let i = 0; i < hz; i++) {
      throttle.schedule(() => runs++);
      throttle.schedule(() => runs++); // several pointer moves per frame: the latest counts
      frames.frame(1_000 + (i * 1_000) / hz);
    }
    return runs;
  }

  it('writes once per frame at 60 Hz', () => {
    assert.equal(writesPerSecond(60), 60);
  });

  it('writes about 60 times a second at 120 and 144 Hz, never more than the interval allows', () => {
    const limit = Math.ceil(1_000 / FRAME_MIN_INTERVAL_MS);
    for (const hz of [120, 144, 240]) {
      const runs = writesPerSecond(hz);
      assert.ok(runs <= limit && runs >= 40, `${hz} Hz: ${runs} writes`);
    }
  });

  it('flush writes the latest task now; cancel drops it', () => {
    const throttle = new FrameThrottle();
    const seen: number[] = [];
    throttle.schedule(() => seen.push(1));
    throttle.schedule(() => seen.push(2));
    throttle.flush();
    frames.frame(5_000);
    assert.deepEqual(seen, [2]);
    throttle.schedule(() => seen.push(3));
    throttle.cancel();
    frames.frame(6_000);
    assert.deepEqual(seen, [2]);
  });

  it('a bigger interval (a long pen stroke) spaces the writes out', () => {
    const throttle = new FrameThrottle();
    let runs = 0;
    for (let i = 0; i < 60; i++) {
      throttle.schedule(() => runs++, 250);
      frames.frame(10_000 + (i * 1_000) / 60);
    }
    assert.ok(runs >= 3 && runs <= 5, `${runs} writes`);
  });
});
