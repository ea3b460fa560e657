/** The HTTP session's numbered outbox (bounded, fresh sync on a gap) and its batch order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchOrder } from '../../server/transports/http-session/batch-order.ts';
import { SessionOutbox } from '../../server/transports/http-session/session-outbox.ts';

const bytes = (n: number) => new Uint8Array(n);

describe('SessionOutbox', () => {
  it('numbers frames, keeps them until acknowledged, and resumes after any kept seq', () => {
    const outbox = new SessionOutbox(1_000);
    for (let i = 0; i < 5; i++) outbox.push(bytes(10));
    assert.deepEqual(
      outbox.after(2).map((e) => e.seq),
      [3, 4, 5],
    );
    outbox.acknowledge(3);
    assert.equal(outbox.hasGapAfter(3), false);
    assert.equal(outbox.hasGapAfter(1), true, 'acknowledged frames are gone');
    assert.equal(outbox.hasGapAfter(9), true, 'a seq never handed out');
  });

  it('drops the oldest past its bound and reports the gap, but never a pinned fresh sync', () => {
    const outbox = new SessionOutbox(100);
    for (let i = 0; i < 10; i++) outbox.push(bytes(30));
    assert.ok(outbox.retainedBytes <= 100);
    assert.equal(outbox.hasGapAfter(0), true);
    outbox.clear();
    const fresh = outbox.push(bytes(500), true);
    outbox.push(bytes(30));
    outbox.push(bytes(30));
    assert.equal(outbox.after(fresh.seq - 1)[0]?.seq, fresh.seq, 'the fresh sync stays');
  });
});

describe('BatchOrder', () => {
  it('hands batches over in number order and answers re-sends as duplicates', async () => {
    const order = new BatchOrder(1_000, 4);
    const handled: number[] = [];
    const second = order.turn(2).then((turn) => (handled.push(2), turn));
    assert.equal(await order.turn(1), 'go');
    handled.push(1);
    order.done(1);
    assert.equal(await second, 'go');
    order.done(2);
    assert.deepEqual(handled, [1, 2]);
    assert.equal(await order.turn(1), 'duplicate');
    assert.equal(await order.turn(0), 'go', 'unnumbered');
  });

  it('gives up on a gap that does not fill', async () => {
    const order = new BatchOrder(20, 4);
    // The order's timer does not hold the process open (a server's does not need it to).
    const alive = setTimeout(() => {}, 1_000);
    assert.equal(await order.turn(3), 'timeout');
    clearTimeout(alive);
  });
});
