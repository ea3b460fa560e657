/**
 * Reads a request body up to a cap. Past the cap it stops keeping bytes (the rest is read and
 * dropped, so the 413 answer reaches the client) and resolves null; the caller answers 413.
 */
import type { IncomingMessage } from 'node:http';

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooBig = Number.isFinite(declared) && declared > maxBytes;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) tooBig = true;
      if (!tooBig) chunks.push(chunk);
    });
    req.once('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.once('error', reject);
    if (tooBig) resolve(null);
  });
}
