import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { ConfigError, parseConfig } from '../../server/config.ts';
import { clientAddress, IpSlots } from '../../server/limits/ip-slots.ts';
import { TokenBucket } from '../../server/limits/token-bucket.ts';
import type { Peer } from '../../server/room/peer.ts';
import { presenceFlushDelayMs, RoomPresence } from '../../server/room/room-presence.ts';
import { delay } from '../helpers/clients.ts';

describe('token bucket', () => {
  it('allows a burst, refuses beyond it, and refills at its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take()),
      [true, true, true, false],
    );
    now += 100; // one token back
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
    now += 10_000; // never more than the burst
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take()),
      [true, true, true, false],
    );
  });
});

describe('per-address slots', () => {
  it('hands out up to the limit per address, and a release (once) frees one', () => {
    const slots = new IpSlots('sse', 2);
    const first = slots.acquire('10.0.0.1');
    const second = slots.acquire('10.0.0.1');
    assert.ok(first && second);
    assert.equal(slots.acquire('10.0.0.1'), null);
    assert.ok(slots.acquire('10.0.0.2'), 'another address has its own slots');
    first();
    first();
    assert.equal(slots.count('10.0.0.1'), 1);
    assert.ok(slots.acquire('10.0.0.1'));
    assert.equal(slots.acquire('10.0.0.1'), null);
  });

  it('takes the address from X-Forwarded-For only behind a trusted proxy, and then its last entry', () => {
    const req = {
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    assert.equal(clientAddress(req, false), '127.0.0.1');
    assert.equal(clientAddress(req, true), '203.0.113.7');
  });
});

describe('presence pacing', () => {
  const pacing = { tickPeers: 16, maxIntervalMs: 250, cpuPercent: 10 };

  it('flushes small rooms every tick and waits longer as the room grows, up to the maximum', () => {
    assert.equal(presenceFlushDelayMs(2, 0, pacing), 0);
    assert.equal(presenceFlushDelayMs(16, 0, pacing), 0);
    assert.ok(presenceFlushDelayMs(50, 0, pacing) > presenceFlushDelayMs(20, 0, pacing));
    assert.equal(presenceFlushDelayMs(10_000, 0, pacing), 250);
  });

  it('waits long enough that flushing stays under its CPU share, whatever the room size', () => {
    // A flush that took 5 ms may run at most 10 % of the time: 45 ms of rest.
    assert.equal(presenceFlushDelayMs(2, 5, pacing), 45);
    assert.equal(presenceFlushDelayMs(10_000, 100, pacing), 900);
  });

  it("coalesces a big room's changes into one frame per interval", async () => {
    const frames: Uint8Array[] = [];
    const delays: number[] = [];
    const presence = new RoomPresence((frame) => frames.push(frame), {
      peerCount: () => 1_266, // 1,250 beyond the tick: 100 ms
      pacing,
      onScheduled: (ms) => delays.push(ms),
    });
    const peer = { id: 1, role: 'edit', viaId: 'board', send() {}, close() {} } as Peer;
    for (let clock = 1; clock <= 20; clock++)
      presence.apply(peer, [{ clientId: 5, clock, state: { cursor: { x: clock, y: 0 } } }]);
    await delay(20);
    assert.equal(frames.length, 0, 'nothing before the interval');
    await delay(150);
    assert.equal(frames.length, 1);
    assert.deepEqual(delays, [100]);
    presence.destroy();
  });
});

describe('limit settings', () => {
  const base = { DATA_DIR: '/tmp/x' };
  it('have documented defaults', () => {
    const config = parseConfig(base);
    assert.equal(config.authSecret, null);
    assert.equal(config.allowedOrigins, null);
    assert.equal(config.maxBufferedBytes, 16 * 1_048_576);
    assert.equal(config.presenceBufferBytes, 1_048_576);
    assert.equal(config.rateUpdatesBurst, 200);
  });

  it('stop start-up with one line naming the setting when invalid', () => {
    const invalid: Record<string, string>[] = [
      { AUTH_SECRET: 'too-short' },
      { AUTH_LEEWAY_S: '-1' },
      { ALLOWED_ORIGINS: 'https://ok.example.com, not an origin' },
      { ALLOWED_ORIGINS: 'https://example.com/path' },
      { TOKEN_URL: 'javascript:alert(1)' },
      { RATE_UPDATES_PER_S: '0' },
      { MAX_CONNECTIONS_PER_IP: 'many' },
      { PRESENCE_BUFFER_BYTES: String(64 * 1_048_576) },
      { TRUST_PROXY: 'yes' },
    ];
    for (const env of invalid) {
      const name = Object.keys(env)[0] as string;
      assert.throws(
        () => parseConfig({ ...base, ...env }),
        (error: Error) =>
          error instanceof ConfigError &&
          error.message.includes(name) &&
          !error.message.includes('\n'),
        name,
      );
    }
    assert.deepEqual(
      parseConfig({ ...base, ALLOWED_ORIGINS: 'https://a.example.com, http://b.example.com:8080' })
        .allowedOrigins,
      ['https://a.example.com', 'http://b.example.com:8080'],
    );
  });
});
