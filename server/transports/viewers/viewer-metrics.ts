/**
 * Prometheus metrics of the viewer transports, registered on the server's registry. Open
 * streams and polls are counted on the shared `boardcast_connections{transport}` gauge.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type ViewerMetrics = ReturnType<typeof createViewerMetrics>;

export type DisconnectReason = 'stalled' | 'too_far_behind' | 'shutdown';

/** `bufferedBytes` is read at scrape time: the unsent bytes of every open stream. */
export function createViewerMetrics(
  registry: Registry,
  bufferedBytes: () => { total: number; max: number },
) {
  const registers = [registry];
  return {
    published: new Counter({
      name: 'boardcast_viewer_versions_total',
      help: 'Board versions published to viewers (one patch each)',
      registers,
    }),
    encodedBytes: new Counter({
      name: 'boardcast_viewer_encoded_bytes_total',
      help: 'Bytes of snapshots and patches encoded (once, for every viewer)',
      registers,
    }),
    sentBytes: new Counter({
      name: 'boardcast_viewer_sent_bytes_total',
      help: 'Bytes written to SSE streams',
      registers,
    }),
    skips: new Counter({
      name: 'boardcast_viewer_skips_total',
      help: 'Times a slow SSE viewer stopped getting patches until its socket drained',
      registers,
    }),
    disconnects: new Counter({
      name: 'boardcast_viewer_disconnects_total',
      help: 'SSE viewers disconnected by the server',
      labelNames: ['reason'] as const,
      registers,
    }),
    buffered: new Gauge({
      name: 'boardcast_viewer_buffered_bytes',
      help: 'Unsent bytes queued for SSE viewers (stat=total|max)',
      labelNames: ['stat'] as const,
      registers,
      collect() {
        const { total, max } = bufferedBytes();
        this.set({ stat: 'total' }, total);
        this.set({ stat: 'max' }, max);
      },
    }),
  };
}
