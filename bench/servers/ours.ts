/**
 * Boardcast itself: runs server/main.ts in this process (it reads PORT, HOST, DATA_DIR and
 * LOG_LEVEL from the environment, which the bench sets), then announces the port once
 * /healthz answers, the contract's signal that it accepts connections.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_HOST, announceReady, portFromArgs } from './ready.ts';

const READY_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 50;

/** node:http rather than fetch, so the probe does not load undici into the measured heap. */
function isHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: BENCH_HOST, port, path: '/healthz', agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('error', () => resolve(false));
    request.setTimeout(1_000, () => request.destroy());
  });
}

async function waitHealthy(port: number): Promise<boolean> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (await isHealthy(port)) return true;
    await sleep(POLL_INTERVAL_MS);
  }
  return false;
}

const port = portFromArgs();
if (port === 0) throw new Error('ours.ts needs an explicit port: server/main.ts reads PORT');
process.env.PORT = String(port);
process.env.HOST = BENCH_HOST;
await import('../../server/main.ts');
if (!(await waitHealthy(port))) {
  throw new Error(`server/main.ts did not answer /healthz within ${READY_TIMEOUT_MS} ms`);
}
announceReady(port);
