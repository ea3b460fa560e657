/**
 * What an HTTP POST costs the load generator's own HTTP client before any server logic: fetch
 * (the client the HTTP-session editor uses) sending a small body to a minimal Node HTTP server,
 * timed from the call to the request's end arriving. The http-session scenario sets the gap
 * between its HTTP and WebSocket editors against it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from '../stats.ts';

const SENT_HEADER = 'x-sent-at';
/** The size of a typical up batch: one small update. */
const BODY_BYTES = 64;

/** p50 and p99 ms of `count` POSTs, one every `intervalMs`, each awaited before the next. */
export async function bareFetchPost(
  count: number,
  intervalMs: number,
): Promise<{ p50Ms: number; p99Ms: number }> {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    const sentAt = Number(req.headers[SENT_HEADER]);
    req.resume();
    req.once('end', () => {
      arrivals.push(performance.now() - sentAt);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const body = new Uint8Array(BODY_BYTES);
  try {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body,
        headers: { [SENT_HEADER]: String(performance.now()) },
      });
      await response.arrayBuffer();
      await sleep(intervalMs);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return { p50Ms: quantile(arrivals, 0.5), p99Ms: quantile(arrivals, 0.99) };
}
