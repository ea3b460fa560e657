/** Durations shared by the load scenarios, per mode. */
import type { Mode } from './types.ts';

export interface LoadTiming {
  warmupMs: number;
  windowMs: number;
}

export function loadTiming(mode: Mode): LoadTiming {
  // Short windows keep the whole run within its budget (quick ≤ 2 min, full ≤ 10 min); even
  // the quick window holds 60 edits of a 60 Hz writer, for every reader.
  return mode === 'quick' ? { warmupMs: 200, windowMs: 1_000 } : { warmupMs: 500, windowMs: 2_500 };
}

/** Generous bound on one handshake plus join. */
export const JOIN_TIMEOUT_MS = 15_000;
/** Handshakes in flight at once while opening many connections. */
export const OPEN_CONCURRENCY = 50;
/** How long full clients may take to show the writers' final state. */
export const CONVERGE_TIMEOUT_MS = 10_000;
