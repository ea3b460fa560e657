/**
 * Drives a fixed-rate load through warm-up and a measurement window: `act(i)` for each of
 * `actors` at `hz`, phases spread evenly over one period so they do not all fire together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReceiveStats } from '../clients/lean-reader.ts';
import { runTicker } from '../clients/ticker.ts';
import type { RunningServer } from '../servers/launch.ts';
import type { LoadTiming } from './modes.ts';
import { openWindow, type WindowResult } from './window.ts';

export interface DriveOptions {
  server: RunningServer;
  stats: readonly ReceiveStats[];
  timing: LoadTiming;
  actors: number;
  hz: number;
  /** Boardcast counters to read over the window (WindowResult.counters). */
  counters?: readonly string[];
}

export async function driveLoad(
  options: DriveOptions,
  act: (actor: number) => void,
): Promise<WindowResult> {
  const { timing, actors, hz } = options;
  const periodMs = 1000 / hz;
  const durationMs = timing.warmupMs + timing.windowMs;
  const ticking = Array.from({ length: actors }, (_, actor) =>
    runTicker({ hz, durationMs, phaseMs: (actor * periodMs) / actors }, () => act(actor)),
  );
  await sleep(timing.warmupMs);
  const window = await openWindow(options.server, options.stats, options.counters);
  await sleep(timing.windowMs);
  const measured = await window.close();
  await Promise.all(ticking);
  return measured;
}
