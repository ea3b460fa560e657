/**
 * The server process: parse settings (an invalid one stops start-up with one line), listen, and
 * on SIGTERM/SIGINT stop accepting, close peers with 1012, flush every board and exit 0.
 */
import { createBoardcastServer } from './app.ts';
import { ConfigError, parseConfig, type Config } from './config.ts';
import { writeServerMarker } from './ops/server-marker.ts';

function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`boardcast: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const server = createBoardcastServer({ config });
  const { log } = server.context;
  const port = await server.listen();
  log.info(
    { port, host: config.host, dataDir: config.dataDir },
    `listening on http://${config.host}:${port}`,
  );
  // SQLite: tells `npm run boards` that this server holds DATA_DIR (server/ops/server-marker.ts).
  const removeMarker = config.databaseUrl
    ? () => {}
    : writeServerMarker(config.dataDir, { pid: process.pid, port, host: config.host });
  process.once('exit', removeMarker);
  // Test harnesses read this line to learn a port-0 server's real port.
  if (process.env.BOARDCAST_PRINT_PORT === '1') process.stdout.write(`BOARDCAST_PORT=${port}\n`);

  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    const forced = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forced.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `boardcast: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
