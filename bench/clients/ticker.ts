/**
 * Fixed-rate loops that are bounded both in ticks and in time. Each tick is scheduled against
 * an absolute deadline, so a late tick does not shift the ones after it (no drift), and a
 * tick that is more than one period late is skipped rather than sent in a burst.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface TickerOptions {
  hz: number;
  durationMs: number;
  /** Offset of the first tick, so many tickers at one rate do not fire together. */
  phaseMs?: number;
  signal?: AbortSignal;
}

/** Runs `onTick(k)` at `hz` for `durationMs`; resolves with the number of ticks run. */
export async function runTicker(
  options: TickerOptions,
  onTick: (tick: number) => void,
): Promise<number> {
  const periodMs = 1000 / options.hz;
  const maxTicks = Math.floor((options.durationMs * options.hz) / 1000);
  const start = performance.now() + (options.phaseMs ?? 0);
  let ran = 0;
  for (let tick = 0; tick < maxTicks; tick++) {
    if (options.signal?.aborted) break;
    const due = start + tick * periodMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (performance.now() - due > periodMs) continue;
    onTick(tick);
    ran += 1;
  }
  return ran;
}

/** Resolves when `predicate` holds, polling every `intervalMs`; false after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(intervalMs);
  }
  return predicate();
}
