/** Reads a server's /metrics (Prometheus text format) into series → value. */
import http from 'node:http';

const METRICS_TIMEOUT_MS = 5_000;

export type MetricSeries = Map<string, number>;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.setTimeout(METRICS_TIMEOUT_MS, () =>
      request.destroy(new Error(`GET ${url} timed out`)),
    );
  });
}

export async function readMetrics(httpBase: string): Promise<MetricSeries> {
  const { status, body } = await get(`${httpBase}/metrics`);
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const series: MetricSeries = new Map();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** Sum of every series of metric `name` (all label sets); NaN when it is not exported. */
export function metricTotal(series: MetricSeries, name: string): number {
  let total = Number.NaN;
  for (const [key, value] of series) {
    if (key === name || key.startsWith(`${name}{`))
      total = (Number.isNaN(total) ? 0 : total) + value;
  }
  return total;
}

/** One histogram's cumulative bucket counts (le → count) for the series matching `labels`. */
function buckets(
  series: MetricSeries,
  name: string,
  labels: Record<string, string>,
): Map<number, number> {
  const counts = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const [key, value] of series) {
    if (!key.startsWith(prefix)) continue;
    const found = new Map(
      [...key.slice(prefix.length, -1).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).some(([label, want]) => found.get(label) !== want)) continue;
    const le = found.get('le') === '+Inf' ? Infinity : Number(found.get('le'));
    counts.set(le, (counts.get(le) ?? 0) + value);
  }
  return counts;
}

/** What a histogram saw between two reads: observations, their mean, and quantiles. */
export interface HistogramDelta {
  count: number;
  /** Mean of the observations, in the metric's unit; NaN when there were none. */
  mean: number;
  /**
   * The q-quantile, interpolated within its bucket as Prometheus' histogram_quantile does
   * (an estimate: the buckets bound it); the highest finite bound when it falls past them.
   */
  quantile(q: number): number;
}

export function histogramDelta(
  before: MetricSeries,
  after: MetricSeries,
  name: string,
  labels: Record<string, string> = {},
): HistogramDelta {
  const start = buckets(before, name, labels);
  const end = buckets(after, name, labels);
  const bounds = [...end.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((le) => (end.get(le) ?? 0) - (start.get(le) ?? 0));
  const count = cumulative.at(-1) ?? 0;
  const sum = (series: MetricSeries) =>
    [...series].reduce(
      (total, [key, value]) =>
        key.startsWith(`${name}_sum`) &&
        Object.entries(labels).every(([label, want]) => key.includes(`${label}="${want}"`))
          ? total + value
          : total,
      0,
    );
  return {
    count,
    mean: count === 0 ? Number.NaN : (sum(after) - sum(before)) / count,
    quantile(q: number): number {
      if (count === 0) return Number.NaN;
      const rank = q * count;
      const index = cumulative.findIndex((below) => below >= rank);
      const upper = bounds[index] as number;
      if (!Number.isFinite(upper)) return bounds.at(-2) ?? Number.NaN;
      const lower = index === 0 ? 0 : (bounds[index - 1] as number);
      const belowCount = index === 0 ? 0 : (cumulative[index - 1] as number);
      const inBucket = (cumulative[index] as number) - belowCount;
      return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - belowCount)) / inBucket;
    },
  };
}
