/**
 * @hocuspocus/server 3.4.4 with its defaults and no extensions (no persistence, no auth
 * hooks), quiet, on a port from argv or PORT.
 */
import { Server } from '@hocuspocus/server';
import { BENCH_HOST, announceReady, portFromArgs } from './ready.ts';

const server = new Server({
  port: portFromArgs(),
  address: BENCH_HOST,
  quiet: true,
  stopOnSignals: true,
});
await server.listen();
announceReady(server.address.port);
