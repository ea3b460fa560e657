/**
 * Every abuse limit shows in /metrics as `boardcast_limit{setting="…"}` with its configured value,
 * next to the counters of what it refused (`boardcast_refusals_total{reason="…"}`).
 */
import type { Config } from '../config.ts';
import type { Metrics } from '../metrics.ts';

/** Setting name → config value, in docs/auth.md's order. */
export function limitValues(config: Config): Record<string, number> {
  return {
    AUTH_LEEWAY_S: config.authLeewaySeconds,
    MAX_MESSAGE_BYTES: config.maxMessageBytes,
    MAX_PENDING_FRAMES: config.maxPendingFrames,
    HELD_UPDATE_BYTES: config.heldUpdateBytes,
    HELD_UPDATE_COUNT: config.heldUpdateCount,
    HELD_UPDATE_MS: config.heldUpdateMs,
    RATE_UPDATES_PER_S: config.rateUpdatesPerSecond,
    RATE_UPDATES_BURST: config.rateUpdatesBurst,
    RATE_PRESENCE_PER_S: config.ratePresencePerSecond,
    RATE_PRESENCE_BURST: config.ratePresenceBurst,
    MAX_CONNECTIONS_PER_IP: config.maxConnectionsPerIp,
    MAX_SSE_STREAMS_PER_IP: config.maxSseStreamsPerIp,
    MAX_LONG_POLLS_PER_IP: config.maxLongPollsPerIp,
    PRESENCE_BUFFER_BYTES: config.presenceBufferBytes,
    MAX_BUFFERED_BYTES: config.maxBufferedBytes,
    PRESENCE_TICK_PEERS: config.presenceTickPeers,
    PRESENCE_MAX_INTERVAL_MS: config.presenceMaxIntervalMs,
    PRESENCE_CPU_PERCENT: config.presenceCpuPercent,
    MAX_ASSET_BYTES: config.maxAssetBytes,
    RATE_ASSET_UPLOADS_PER_MIN: config.rateAssetUploadsPerMinute,
  };
}

export function publishLimits(config: Config, metrics: Metrics): void {
  for (const [setting, value] of Object.entries(limitValues(config)))
    metrics.limits.set({ setting }, value);
}
