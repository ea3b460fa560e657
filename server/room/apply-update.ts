/**
 * How an update is applied to a board's document: Y.applyUpdate. It is a dependency (room and
 * registry take it from the server's options) so that a test can make it throw for one update
 * and show that the server survives it; nothing else replaces it.
 */
import * as Y from 'yjs';

export type ApplyUpdate = (doc: Y.Doc, update: Uint8Array, origin?: unknown) => void;

export const applyYjsUpdate: ApplyUpdate = (doc, update, origin) =>
  Y.applyUpdate(doc, update, origin);
