/**
 * An SSE viewer of /api/boards/<id>/events that scans the raw stream for edit markers; the
 * patches are JSON, and the marker needs no escaping, so it appears verbatim.
 */
import http from 'node:http';
import { scanEditMarkers } from './marker.ts';
import type { ReceiveStats } from './lean-reader.ts';

export class SseViewer {
  private constructor(private readonly request: http.ClientRequest) {}

  /** Resolves once the response headers arrived with 200 and an event stream. */
  static open(
    url: string,
    stats: ReceiveStats,
    agent: http.Agent,
    timeoutMs: number,
  ): Promise<SseViewer> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { agent, headers: { accept: 'text/event-stream' } });
      const timer = setTimeout(() => {
        request.destroy();
        reject(new Error(`SSE connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('response', (response) => {
        clearTimeout(timer);
        if (response.statusCode !== 200) {
          response.resume();
          request.destroy();
          reject(new Error(`SSE answered ${response.statusCode}`));
          return;
        }
        response.on('data', (chunk: Buffer) => {
          if (!stats.measuring) return;
          const now = performance.now();
          stats.docFrames += 1;
          stats.deliveries += scanEditMarkers(chunk, (sentAtMs) =>
            stats.latency.add(now - sentAtMs),
          );
        });
        response.on('error', () => {});
        resolve(new SseViewer(request));
      });
    });
  }

  close(): void {
    this.request.destroy();
  }
}
