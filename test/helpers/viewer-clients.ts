/**
 * Clients of the viewer transports for tests: an EventSource viewer that rebuilds the board from
 * its events, a raw HTTP viewer that never reads, a second viewer server with short timeouts
 * over the same rooms, and metric readers.
 */
import http from 'node:http';
import net from 'node:net';
import { EventSource } from 'eventsource';
import type { Shape } from '../../common/board/shape.ts';
import {
  applyPatch,
  inPaintOrder,
  type Patch,
  type Snapshot,
} from '../../common/board/snapshot.ts';
import { createRouter } from '../../server/http/router.ts';
import { createMetrics } from '../../server/metrics.ts';
import { viewerRoutes } from '../../server/transports/viewers/viewer-routes.ts';
import type { ViewerOptions } from '../../server/transports/viewers/viewer-options.ts';
import type { TestServer } from './test-server.ts';

export interface ReceivedEvent {
  type: 'snapshot' | 'patch';
  id: string;
  data: Snapshot | Patch;
  atMs: number;
}

/** An EventSource viewer that applies what it receives, as the viewer page does. */
export class SseViewer {
  readonly events: ReceivedEvent[] = [];
  readonly shapes = new Map<string, Shape>();
  version: string | null = null;
  /** Patches whose base was not the version this viewer had. */
  baseMismatches = 0;
  readonly source: EventSource;

  constructor(url: string, lastEventId?: string) {
    this.source = new EventSource(url, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...init.headers, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
        }),
    });
    this.source.addEventListener('snapshot', (event) => this.receive('snapshot', event));
    this.source.addEventListener('patch', (event) => this.receive('patch', event));
  }

  get snapshots(): ReceivedEvent[] {
    return this.events.filter((event) => event.type === 'snapshot');
  }

  get patches(): ReceivedEvent[] {
    return this.events.filter((event) => event.type === 'patch');
  }

  board(): Shape[] {
    return inPaintOrder(this.shapes.values());
  }

  close(): void {
    this.source.close();
  }

  private receive(type: 'snapshot' | 'patch', event: MessageEvent<string>): void {
    const data = JSON.parse(event.data) as Snapshot | Patch;
    this.events.push({ type, id: event.lastEventId, data, atMs: performance.now() });
    if (type === 'snapshot') {
      this.shapes.clear();
      for (const shape of (data as Snapshot).shapes) this.shapes.set(shape.id, shape);
    } else {
      if ((data as Patch).base !== this.version) this.baseMismatches++;
      applyPatch(this.shapes, data as Patch);
    }
    this.version = data.version;
  }
}

/** A viewer that sends its request and then never reads a byte. */
export async function openStuckViewer(port: number, path: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  socket.pause();
  socket.on('error', () => undefined);
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  return socket;
}

/** Reads a raw response's text until `until` matches or the time is up; then drops it. */
export function readRaw(
  url: string,
  until: RegExp,
  timeoutMs = 3_000,
  headers: Record<string, string> = {},
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const request = http.get(url, { headers }, (response) => {
        let text = '';
        const done = () => {
          clearTimeout(timer);
          request.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
        };
        const timer = setTimeout(done, timeoutMs);
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (until.test(text)) done();
        });
        response.on('end', done);
        response.on('error', () => undefined);
      });
      request.on('error', reject);
    },
  );
}

export interface TunedViewerServer {
  url: string;
  port: number;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/** The viewer routes with `overrides`, on their own port, over the test server's rooms. */
export async function startTunedViewerServer(
  server: TestServer,
  overrides: Partial<ViewerOptions>,
): Promise<TunedViewerServer> {
  const metrics = createMetrics();
  const ctx = { ...server.server.context, metrics };
  const httpServer = http.createServer(createRouter(viewerRoutes(ctx, overrides), ctx.log));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    metricsText: () => metrics.registry.metrics(),
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

/** One sample of a Prometheus text exposition, e.g. `metric(text, 'x_total')`. */
export function metric(text: string, name: string, labels = ''): number {
  const line = text
    .split('\n')
    .find((row) => row.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
