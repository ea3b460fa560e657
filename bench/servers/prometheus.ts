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
