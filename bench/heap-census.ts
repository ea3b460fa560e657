/**
 * What a heap snapshot is made of: the bytes (V8's own size of each object, not what it keeps
 * alive) of every object of the named classes, summed per class. The idle scenario divides them
 * by the connection count to say which part of a connection's heap is the socket's, the
 * WebSocket library's and the server's own.
 */
import { readFile } from 'node:fs/promises';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes per class name, for objects of the given class names only. */
export async function heapBytesByClass(
  file: string,
  classes: readonly string[],
): Promise<Map<string, number>> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotFile;
  const { node_fields: fields, node_types: types } = parsed.snapshot.meta;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const objectType = types[0].indexOf('object');
  const wanted = new Set(classes);
  const bytes = new Map<string, number>(classes.map((name) => [name, 0]));
  const { nodes, strings } = parsed;
  for (let at = 0; at < nodes.length; at += stride) {
    if (nodes[at + typeAt] !== objectType) continue;
    const name = strings[nodes[at + nameAt] as number] as string;
    if (wanted.has(name)) bytes.set(name, (bytes.get(name) ?? 0) + (nodes[at + sizeAt] as number));
  }
  return bytes;
}
