/**
 * Boardcast's own account of a window: the growth of some of its counters (/metrics), read just
 * before the window opens and just after it closes (drive-load.ts hooks), so the reading costs
 * the window nothing. The references have no /metrics: their growth is NaN.
 */
import type { RunningServer } from '../servers/launch.ts';
import { metricTotal, readMetrics, type MetricSeries } from '../servers/prometheus.ts';
import type { WindowHooks } from './drive-load.ts';

export interface CounterWatch {
  hooks: WindowHooks;
  /** Growth of each counter over the window; NaN when it could not be read. */
  growth(): Record<string, number>;
}

export function watchCounters(server: RunningServer, names: readonly string[]): CounterWatch {
  const reads: (MetricSeries | null)[] = [];
  const read = async () => {
    const ours = server.spec.name === 'ours';
    reads.push(ours ? await readMetrics(server.httpBase).catch(() => null) : null);
  };
  return {
    hooks: { opening: read, closed: read },
    growth() {
      const [before, after] = reads;
      const growth: Record<string, number> = {};
      for (const name of names) {
        // A labelled series appears with its first count: absent before means 0 then.
        const from = before ? metricTotal(before, name) : Number.NaN;
        growth[name] =
          before && after ? metricTotal(after, name) - (Number.isNaN(from) ? 0 : from) : Number.NaN;
      }
      return growth;
    },
  };
}
