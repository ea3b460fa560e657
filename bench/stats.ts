/**
 * Small statistics helpers. Latencies are collected into a bounded buffer so a long run or an
 * overwhelmed reference server cannot make the load generator grow without limit.
 */

/** Upper bound on stored samples per recorder; beyond it samples are counted but not kept. */
const MAX_SAMPLES = 2_000_000;

export class SampleRecorder {
  private readonly samples = new Float64Array(MAX_SAMPLES);
  private stored = 0;
  /** Every sample offered, stored or not. */
  count = 0;

  add(value: number): void {
    this.count += 1;
    if (this.stored < MAX_SAMPLES) this.samples[this.stored++] = value;
  }

  reset(): void {
    this.stored = 0;
    this.count = 0;
  }

  /** The q-quantile (0..1) of the stored samples, NaN when there are none. */
  quantile(q: number): number {
    return quantile(this.samples.subarray(0, this.stored), q);
  }
}

/** Nearest-rank quantile; sorts a copy. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Median of the values that are numbers; Infinity counts (it means "never", not "unknown"). */
export function median(values: readonly number[]): number {
  return quantile(
    values.filter((value) => !Number.isNaN(value)),
    0.5,
  );
}
