/**
 * What a heap snapshot is made of: the bytes (V8's own size of each object, not what it keeps
 * alive) of every object of the named classes, summed per class. The idle scenario divides them
 * by the connection count to say which part of a connection's heap is the socket's, the
 * WebSocket library's and the server's own; yjs-item-census.ts sums every kind of node per
 * loaded Yjs item.
 */
import { readFile } from 'node:fs/promises';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/**
 * Bytes per kind of node, keyed "type:name" (e.g. "object:Item", "array:(object elements)";
 * every string is under "string", whatever its text).
 */
export async function heapBytesByKind(file: string): Promise<Map<string, number>> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotFile;
  const { node_fields: fields, node_types: types } = parsed.snapshot.meta;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const bytes = new Map<string, number>();
  const { nodes, strings } = parsed;
  for (let at = 0; at < nodes.length; at += stride) {
    const type = types[0][nodes[at + typeAt] as number] as string;
    const kind = type.endsWith('string')
      ? 'string'
      : `${type}:${strings[nodes[at + nameAt] as number] as string}`;
    bytes.set(kind, (bytes.get(kind) ?? 0) + (nodes[at + sizeAt] as number));
  }
  return bytes;
}

/** Bytes per class name, for objects of the given class names only. */
export async function heapBytesByClass(
  file: string,
  classes: readonly string[],
): Promise<Map<string, number>> {
  const kinds = await heapBytesByKind(file);
  return new Map(classes.map((name) => [name, kinds.get(`object:${name}`) ?? 0]));
}
