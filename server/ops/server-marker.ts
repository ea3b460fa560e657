/**
 * A running SQLite server leaves `boardcast-server.json` (pid, port, host) in DATA_DIR while it
 * listens, so the operator CLI can tell that a server holds the file and send deletions through
 * it (which closes the board's connections) rather than delete rows under a live server. A
 * marker whose process is gone (the server was killed) is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SERVER_MARKER_FILE = 'boardcast-server.json';

export interface ServerMarker {
  pid: number;
  port: number;
  host: string;
}

/** Writes the marker; the returned function removes it (only if it is still this process's). */
export function writeServerMarker(dataDir: string, marker: ServerMarker): () => void {
  const file = path.join(dataDir, SERVER_MARKER_FILE);
  fs.writeFileSync(file, `${JSON.stringify(marker)}\n`);
  return () => {
    if (readMarker(file)?.pid === marker.pid) fs.rmSync(file, { force: true });
  };
}

function readMarker(file: string): ServerMarker | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServerMarker>;
    const { pid, port, host } = parsed;
    return typeof pid === 'number' && typeof port === 'number' && typeof host === 'string'
      ? { pid, port, host }
      : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The marker of a server that is running on this DATA_DIR, or null. */
export function liveServerMarker(dataDir: string): ServerMarker | null {
  const marker = readMarker(path.join(dataDir, SERVER_MARKER_FILE));
  return marker && isAlive(marker.pid) ? marker : null;
}

/** Where the CLI reaches that server: its own address, or loopback when it listens on all. */
export function markerUrl(marker: ServerMarker): string {
  const host = ['0.0.0.0', '::', ''].includes(marker.host) ? '127.0.0.1' : marker.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${marker.port}`;
}
