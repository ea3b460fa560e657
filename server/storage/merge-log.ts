/** A board's log merged into one state; a fresh GC-enabled doc drops deleted content. */
import * as Y from 'yjs';

export function mergeLog(updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  try {
    doc.transact(() => updates.forEach((update) => Y.applyUpdate(doc, update)));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
