/**
 * Tunables of the viewer transports (SSE, long poll, poll, SVG), with their defaults. They are
 * numbers with units, passed to `viewerRoutes(ctx, overrides)`, so a test can shrink the
 * timeouts without touching the production defaults. The README lists them.
 */
export interface ViewerOptions {
  /** Shortest time between two published versions of one board (~30 per second). */
  tickMs: number;
  /** Patches kept per board for resuming (`Last-Event-ID`, `since`)… */
  ringMaxPatches: number;
  /** …and at most this many bytes of encoded patches; older ones are dropped first. */
  ringMaxBytes: number;
  /** SSE comment sent to every open stream this often, so proxies keep it open. */
  keepaliveMs: number;
  /** SSE `retry:` hint: how long EventSource waits before reconnecting. */
  retryMs: number;
  /** Unsent bytes a viewer's socket may hold before it stops getting patches (skips ahead). */
  slowViewerBytes: number;
  /** A skipping viewer whose socket has not drained within this time is disconnected. */
  stalledViewerMs: number;
  /** A viewer whose unsent bytes would pass this (one huge snapshot, say) is disconnected. */
  maxViewerBytes: number;
  /** Open SSE streams per board; more are answered 503. */
  maxStreamsPerBoard: number;
  /** Long polls waiting per board; more are answered 503. */
  maxPendingPollsPerBoard: number;
  /** Longest a long poll waits for a change (a request's `timeout` may ask for less). */
  pollTimeoutMs: number;
}

export const DEFAULT_VIEWER_OPTIONS: Readonly<ViewerOptions> = {
  tickMs: 33,
  ringMaxPatches: 512,
  ringMaxBytes: 4 * 1_048_576,
  keepaliveMs: 15_000,
  retryMs: 2_000,
  slowViewerBytes: 256 * 1_024,
  stalledViewerMs: 30_000,
  maxViewerBytes: 32 * 1_048_576,
  maxStreamsPerBoard: 10_000,
  maxPendingPollsPerBoard: 1_000,
  pollTimeoutMs: 25_000,
};

export function viewerOptions(overrides: Partial<ViewerOptions> = {}): ViewerOptions {
  return { ...DEFAULT_VIEWER_OPTIONS, ...overrides };
}
