/**
 * Per-client-address caps (docs/auth.md): open WebSockets, SSE streams, pending long polls. One
 * IpSlots per kind; `acquire` hands out a release function (idempotent) or null when the address
 * is at its cap, and the caller answers 429. Counts live only while held, so the map stays as
 * small as the number of addresses with something open.
 *
 *   const release = ctx.limits.sse.acquire(ctx.limits.clientAddress(req));
 *   if (!release) return sendError(res, 429, 'too many streams from this address');
 *   res.once('close', release);
 */
import type { IncomingMessage } from 'node:http';
import type { Counter, Gauge } from 'prom-client';

export type SlotKind = 'websocket' | 'sse' | 'long_poll';

export interface SlotMetrics {
  inUse: Gauge<'kind'>;
  refusals: Counter<'reason'>;
}

export class IpSlots {
  private readonly held = new Map<string, number>();

  constructor(
    readonly kind: SlotKind,
    readonly limit: number,
    private readonly metrics: SlotMetrics | null = null,
  ) {}

  /** Takes one slot for `address`; null when it already holds `limit`. */
  acquire(address: string): (() => void) | null {
    const count = this.held.get(address) ?? 0;
    if (count >= this.limit) {
      this.metrics?.refusals.inc({ reason: `ip_limit_${this.kind}` });
      return null;
    }
    this.held.set(address, count + 1);
    this.metrics?.inUse.inc({ kind: this.kind });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(address) ?? 1) - 1;
      if (left <= 0) this.held.delete(address);
      else this.held.set(address, left);
      this.metrics?.inUse.dec({ kind: this.kind });
    };
  }

  /** Slots `address` holds now. */
  count(address: string): number {
    return this.held.get(address) ?? 0;
  }
}

/**
 * The client's address: the socket's peer, or with `trustProxy` the last `X-Forwarded-For` entry
 * (the one our own reverse proxy appended; earlier entries are the client's word).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .pop()
      ?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
