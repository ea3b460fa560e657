/**
 * Waiting for a server's heap to come back after churn: sample after a full GC every second
 * until the heap is within the bound and no longer shrinking, or stable for long enough that
 * a server which unloads boards after a grace time has had its chance, or the timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSample, RunningServer } from '../servers/launch.ts';

const POLL_MS = 1_000;
/** Heap change between two polls below which it counts as stable. */
const STABLE_MB = 0.5;
const MB = 1024 * 1024;

export interface SettleOptions {
  baseline: ProbeSample;
  boundMb: number;
  /** Stable above the bound only ends the wait after this long (grace time plus margin). */
  minWaitMs: number;
  timeoutMs: number;
}

export interface Settled {
  after: ProbeSample;
  growthMb: number;
  /** Seconds until the heap was first within the bound; Infinity when it never was. */
  withinAfterSec: number;
}

export async function waitForHeapToSettle(
  server: RunningServer,
  options: SettleOptions,
): Promise<Settled> {
  const started = performance.now();
  const growthOf = (sample: ProbeSample) => (sample.heapUsed - options.baseline.heapUsed) / MB;
  let withinAfterSec = Number.POSITIVE_INFINITY;
  let previous = Number.POSITIVE_INFINITY;
  let after = await server.sample(true);
  for (;;) {
    const elapsedMs = performance.now() - started;
    const growth = growthOf(after);
    const within = growth <= options.boundMb;
    if (within && !Number.isFinite(withinAfterSec)) withinAfterSec = elapsedMs / 1000;
    const stable = Math.abs(previous - growth) < STABLE_MB;
    if ((stable && (within || elapsedMs >= options.minWaitMs)) || elapsedMs >= options.timeoutMs)
      break;
    previous = growth;
    await sleep(POLL_MS);
    after = await server.sample(true);
  }
  const growthMb = growthOf(after);
  return {
    after,
    growthMb,
    withinAfterSec: growthMb <= options.boundMb ? withinAfterSec : Number.POSITIVE_INFINITY,
  };
}
