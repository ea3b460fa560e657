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

/** Load beyond the window when hooks run before it opens (a /metrics read takes a few ms). */
const HOOKS_MARGIN_MS = 100;

export interface DriveOptions {
  server: RunningServer;
  stats: readonly ReceiveStats[];
  timing: LoadTiming;
  actors: number;
  hz: number;
  /** Watch the server's event loop over the window (WindowResult.loop). */
  observeLoop?: boolean;
  /** Called (and awaited) just before the window opens and just after it closes. */
  hooks?: WindowHooks;
}

/** For a scenario that reads the server's own account of the window (e.g. its /metrics). */
export interface WindowHooks {
  opening(): Promise<void>;
  closed(): Promise<void>;
}

export async function driveLoad(
  options: DriveOptions,
  act: (actor: number) => void,
): Promise<WindowResult> {
  const { timing, actors, hz } = options;
  const periodMs = 1000 / hz;
  // Hooks take a little time before the window opens: the load runs on past its end meanwhile.
  const durationMs = timing.warmupMs + timing.windowMs + (options.hooks ? HOOKS_MARGIN_MS : 0);
  const ticking = Array.from({ length: actors }, (_, actor) =>
    runTicker({ hz, durationMs, phaseMs: (actor * periodMs) / actors }, () => act(actor)),
  );
  await sleep(timing.warmupMs);
  await options.hooks?.opening();
  const window = openWindow(options.server, options.stats, options.observeLoop);
  await sleep(timing.windowMs);
  const measured = await window.close();
  await options.hooks?.closed();
  await Promise.all(ticking);
  return measured;
}
