/**
 * Prometheus metrics (GET /metrics). One registry per server instance, so tests can run
 * several servers in one process. Hot paths count in bulk (one `inc(n)` per broadcast).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'boardcast_' });
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({
      name: 'boardcast_connections',
      help: 'Open connections by transport',
      labelNames: ['transport'] as const,
      registers,
    }),
    boardsLoaded: new Gauge({
      name: 'boardcast_boards_loaded',
      help: 'Boards loaded in memory',
      registers,
    }),
    messagesIn: new Counter({
      name: 'boardcast_messages_in_total',
      help: 'WebSocket messages received',
      registers,
    }),
    messagesOut: new Counter({
      name: 'boardcast_messages_out_total',
      help: 'WebSocket messages sent (one per peer)',
      registers,
    }),
    bytesIn: new Counter({
      name: 'boardcast_bytes_in_total',
      help: 'WebSocket bytes received',
      registers,
    }),
    bytesOut: new Counter({
      name: 'boardcast_bytes_out_total',
      help: 'WebSocket bytes sent',
      registers,
    }),
    refusals: new Counter({
      name: 'boardcast_refusals_total',
      help: 'Refused frames, requests and connections by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'boardcast_storage_commit_seconds',
      help: 'Time to commit one batch of updates',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    relaySeconds: new Histogram({
      name: 'boardcast_relay_seconds',
      help: "From a peer's update arriving to its batch being committed (stage=committed: gate, wait, storage) and then applied and sent to every peer (stage=sent)",
      labelNames: ['stage'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    checkpointSeconds: new Histogram({
      name: 'boardcast_storage_checkpoint_seconds',
      help: 'Time of one SQLite WAL checkpoint (on its own thread, never on the commit path)',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    loadSeconds: new Histogram({
      name: 'boardcast_board_load_seconds',
      help: 'Time to load one board, by phase: read (its log from storage), apply (into a Y.Doc), trim (exact-size item arrays), check (the shape repair pass)',
      labelNames: ['phase'] as const,
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers,
    }),
    commits: new Counter({
      name: 'boardcast_storage_commits_total',
      help: 'Storage transactions committed',
      registers,
    }),
    storedBytes: new Counter({
      name: 'boardcast_storage_bytes_total',
      help: 'Update bytes committed to storage',
      registers,
    }),
    storageFailures: new Counter({
      name: 'boardcast_storage_failures_total',
      help: 'Storage writes that failed',
      registers,
    }),
    compactions: new Counter({
      name: 'boardcast_compactions_total',
      help: 'Board logs compacted into one state',
      registers,
    }),
    historyCheckpoints: new Counter({
      name: 'boardcast_history_checkpoints_total',
      help: 'Board history checkpoints by outcome (stored, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    historyBytes: new Counter({
      name: 'boardcast_history_stored_bytes_total',
      help: 'Bytes of board history checkpoints stored (gzipped states)',
      registers,
    }),
    limits: new Gauge({
      name: 'boardcast_limit',
      help: 'Configured abuse limits by setting name (docs/auth.md)',
      labelNames: ['setting'] as const,
      registers,
    }),
    ipSlotsInUse: new Gauge({
      name: 'boardcast_ip_slots_in_use',
      help: 'Per-address slots held, by kind (websocket, sse, long_poll)',
      labelNames: ['kind'] as const,
      registers,
    }),
    presenceSkipped: new Counter({
      name: 'boardcast_presence_skipped_total',
      help: 'Presence frames not sent to a peer whose send buffer was past PRESENCE_BUFFER_BYTES',
      registers,
    }),
    broadcastSeconds: new Counter({
      name: 'boardcast_broadcast_seconds_total',
      help: 'Time spent handing broadcast frames to peers (socket writes included), by kind (update, presence)',
      labelNames: ['kind'] as const,
      registers,
    }),
    presenceIntakeSeconds: new Counter({
      name: 'boardcast_presence_intake_seconds_total',
      help: "Time spent decoding, checking and applying peers' awareness messages",
      registers,
    }),
    presenceEncodeSeconds: new Counter({
      name: 'boardcast_presence_encode_seconds_total',
      help: 'Time spent encoding coalesced presence frames',
      registers,
    }),
    presenceFlushDelay: new Histogram({
      name: 'boardcast_presence_flush_delay_seconds',
      help: 'Delay before a room relays coalesced presence (grows with room size and cost)',
      buckets: [0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    repairs: new Counter({
      name: 'boardcast_repairs_total',
      help: 'Server repairs of bad shape values: fields set or deleted, shapes deleted',
      labelNames: ['action'] as const,
      registers,
    }),
    heldUpdates: new Counter({
      name: 'boardcast_held_updates_total',
      help: 'Updates held until what they build on arrived',
      registers,
    }),
    applyFailures: new Counter({
      name: 'boardcast_apply_failures_total',
      help: 'Updates that threw while being applied (skipped), by where',
      labelNames: ['where'] as const,
      registers,
    }),
    resyncs: new Counter({
      name: 'boardcast_resyncs_total',
      help: 'Boards re-read from storage (scale-out: a gap in what other instances sent, or a changed id)',
      registers,
    }),
    presenceTrimmed: new Counter({
      name: 'boardcast_presence_trimmed_total',
      help: 'Awareness states over the size limit: trimmed (a long selection cut) or dropped',
      labelNames: ['action'] as const,
      registers,
    }),
    assetUploads: new Counter({
      name: 'boardcast_asset_uploads_total',
      help: 'Image uploads by result: stored (new), duplicate (the board had it), refused',
      labelNames: ['result'] as const,
      registers,
    }),
    assetRefusals: new Counter({
      name: 'boardcast_asset_refusals_total',
      help: 'Image uploads refused, by reason (type, size, rate, read_only)',
      labelNames: ['reason'] as const,
      registers,
    }),
    assetBytes: new Counter({
      name: 'boardcast_asset_bytes_total',
      help: 'Bytes of newly stored images',
      registers,
    }),
    assetReads: new Counter({
      name: 'boardcast_asset_reads_total',
      help: 'Images served (200 and 304)',
      registers,
    }),
    tokenRefreshes: new Counter({
      name: 'boardcast_token_refreshes_total',
      help: 'In-band token refreshes accepted',
      registers,
    }),
  };
}
