/**
 * How a checkpoint's state is stored: gzipped (off the main thread, in zlib's thread pool). A
 * board's Yjs state is mostly field names and short strings repeated per shape, so it shrinks
 * several times (docs/benchmarks.md, "Board history: storage cost"). A stored state that is not
 * gzip (no gzip magic) is read as it is.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

export async function encodeCheckpoint(state: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await gzip(state));
}

export async function decodeCheckpoint(stored: Uint8Array): Promise<Uint8Array> {
  const isGzip = stored.byteLength > 2 && stored[0] === 0x1f && stored[1] === 0x8b;
  return isGzip ? new Uint8Array(await gunzip(stored)) : stored;
}
