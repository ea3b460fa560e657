/**
 * The write queue's pacing (server/room/flush-pacer.ts): a calm room flushes at once, a busy one
 * at most once per tick, and a room that calms down flushes at once again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUSY_TICK_MS, BUSY_UPDATES_PER_TICK, FlushPacer } from '../../server/room/flush-pacer.ts';

/** Notes `count` updates spread evenly over one tick from `from`; returns the tick's end. */
function updatesOverTick(pacer: FlushPacer, from: number, count: number): number {
  for (let i = 0; i < count; i++) pacer.noteUpdate(from + (i * BUSY_TICK_MS) / count);
  return from + BUSY_TICK_MS;
}

describe('flush pacing', () => {
  it('never delays a calm room: two 60 Hz draggers flush every update at once', () => {
    const pacer = new FlushPacer();
    for (let at = 0; at < 1_000; at += 1000 / 120) {
      pacer.noteUpdate(at);
      assert.equal(pacer.delayAt(at), 0, `update at ${at.toFixed(1)} ms`);
      pacer.noteFlush(at);
    }
  });

  it('delays a busy room to one flush per tick, counted from the last flush', () => {
    const pacer = new FlushPacer();
    pacer.noteFlush(0);
    const end = updatesOverTick(pacer, 0, BUSY_UPDATES_PER_TICK + 1);
    const last = end - 1;
    assert.ok(Math.abs(pacer.delayAt(last) - (BUSY_TICK_MS - last)) < 1e-9);
    pacer.noteUpdate(end + 1); // the next tick: still busy, after the busy one
    pacer.noteFlush(end);
    assert.ok(Math.abs(pacer.delayAt(end + 1) - (BUSY_TICK_MS - 1)) < 1e-9);
  });

  it('calms down after a quiet tick', () => {
    const pacer = new FlushPacer();
    const end = updatesOverTick(pacer, 0, 50);
    pacer.noteFlush(end - 1);
    const later = end + 2 * BUSY_TICK_MS;
    pacer.noteUpdate(later);
    assert.equal(pacer.delayAt(later), 0);
  });
});
