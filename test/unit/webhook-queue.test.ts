/**
 * The webhook queue against a receiver that never answers: at most MAX_IN_FLIGHT calls are
 * open, the queue keeps `maxQueued`, the oldest waiting calls are dropped and counted, and
 * close() gives up on the rest within its grace.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../server/log.ts';
import { createMetrics } from '../../server/metrics.ts';
import type { RoomSubscriber } from '../../server/room/room-events.ts';
import { WebhookNotifier, type WatchedRoom } from '../../server/webhooks/webhook-notifier.ts';
import { metricValue } from '../helpers/auth.ts';
import { waitFor } from '../helpers/clients.ts';

/** A stand-in for a loaded room: it only has to report a change to its subscribers. */
function fakeRoom(n: number) {
  const subscribers = new Set<RoomSubscriber>();
  const room: WatchedRoom & { change(id: string): void } = {
    key: `key-${n}`,
    viewId: `view-${n}`,
    fullState: () => new Uint8Array([n]),
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    change(id) {
      for (const s of subscribers)
        s.shapesChanged?.({ ids: new Set([id]), source: 'peer', origin: undefined });
    },
  };
  return room;
}

describe('the webhook queue', () => {
  const received: string[] = [];
  const held: http.ServerResponse[] = [];
  let receiver: http.Server;
  let url: string;

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push((JSON.parse(body) as { board: string }).board);
        held.push(res); // never answered
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });
  after(async () => {
    held.forEach((res) => res.destroy());
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('keeps at most maxQueued calls waiting behind a stuck receiver, dropping the oldest', async () => {
    const metrics = createMetrics();
    const notifier = new WebhookNotifier({
      url,
      secret: null,
      debounceMs: 0,
      maxAttempts: 1,
      retryMs: 10,
      log: createLogger('silent'),
      metrics,
      maxQueued: 3,
    });
    const rooms = Array.from({ length: 10 }, (_, n) => fakeRoom(n));
    for (const room of rooms) {
      notifier.watch(room);
      room.change('s');
      await new Promise((resolve) => setTimeout(resolve, 5)); // the window (0 ms) closes
    }
    await waitFor(() => received.length === 4, 5_000, 'four calls open at once');
    const text = () => metrics.registry.metrics();
    // 10 calls: 4 open, 3 waiting (the newest), 3 dropped (the oldest waiting ones).
    assert.equal(metricValue(await text(), 'boardcast_webhook_calls_total{outcome="dropped"}'), 3);
    assert.equal(metricValue(await text(), 'boardcast_webhook_queue'), 3);
    assert.deepEqual(received.sort(), ['view-0', 'view-1', 'view-2', 'view-3']);

    const started = Date.now();
    await notifier.close(200);
    assert.ok(Date.now() - started < 2_000, 'close waited for the stuck receiver');
    assert.equal(metricValue(await text(), 'boardcast_webhook_calls_total{outcome="dropped"}'), 6);
    assert.deepEqual(received.sort(), ['view-0', 'view-1', 'view-2', 'view-3']);
  });
});
