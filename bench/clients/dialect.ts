/**
 * The two wire dialects the minimal clients speak.
 *
 *   y-websocket  frame = varUint(messageType) payload                 room in the URL path
 *   hocuspocus   frame = varString(documentName) varUint(type) payload    room in every frame
 *
 * Hocuspocus queues every frame of a document until it has seen an auth frame for it
 * (`varUint(2 auth) varUint(0 token) varString(token)`), even with no auth hooks configured
 * (packages/server/src/ClientConnection.ts#handleQueueingMessage), so joins send one first.
 * Message types 0 sync and 1 awareness are the same in both; Hocuspocus adds 4 (sync reply,
 * a sync step 1 that must not trigger another), 8 (sync status ack) and others we ignore.
 */
import * as encoding from 'lib0/encoding';

export type Dialect = 'y-websocket' | 'hocuspocus';

export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
const MSG_AUTH = 2;
const AUTH_TOKEN = 0;
export const MSG_HOCUSPOCUS_SYNC_REPLY = 4;
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** A room as one client sees it: where to connect and how to frame messages. */
export interface RoomAddress {
  url: string;
  dialect: Dialect;
  room: string;
}

/** Prepends the document name in the Hocuspocus dialect; y-websocket frames are the payload. */
export function frame(
  address: RoomAddress,
  write: (encoder: encoding.Encoder) => void,
): Uint8Array {
  const encoder = encoding.createEncoder();
  if (address.dialect === 'hocuspocus') encoding.writeVarString(encoder, address.room);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Bytes before the message type in frames received from this room. */
export function prefixLength(address: RoomAddress): number {
  if (address.dialect === 'y-websocket') return 0;
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address.room);
  return encoding.length(encoder);
}

/** A sync step 1 frame with the given state vector (empty doc: `[0]`). */
export function syncStep1Frame(address: RoomAddress, stateVector: Uint8Array): Uint8Array {
  return frame(address, (encoder) => {
    encoding.writeVarUint(encoder, MSG_SYNC);
    encoding.writeVarUint(encoder, SYNC_STEP1);
    encoding.writeVarUint8Array(encoder, stateVector);
  });
}

export function syncUpdateFrame(address: RoomAddress, update: Uint8Array): Uint8Array {
  return frame(address, (encoder) => {
    encoding.writeVarUint(encoder, MSG_SYNC);
    encoding.writeVarUint(encoder, SYNC_UPDATE);
    encoding.writeVarUint8Array(encoder, update);
  });
}

export function awarenessFrame(address: RoomAddress, awarenessUpdate: Uint8Array): Uint8Array {
  return frame(address, (encoder) => {
    encoding.writeVarUint(encoder, MSG_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessUpdate);
  });
}

const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/**
 * What a minimal client sends to join: (Hocuspocus: an empty auth token, then) sync step 1
 * with an empty state vector, which the server answers with its whole state as sync step 2.
 */
export function joinFrames(
  address: RoomAddress,
  stateVector: Uint8Array = EMPTY_STATE_VECTOR,
): Uint8Array[] {
  const step1 = syncStep1Frame(address, stateVector);
  if (address.dialect === 'y-websocket') return [step1];
  const auth = frame(address, (encoder) => {
    encoding.writeVarUint(encoder, MSG_AUTH);
    encoding.writeVarUint(encoder, AUTH_TOKEN);
    encoding.writeVarString(encoder, '');
  });
  return [auth, step1];
}

/** Whether a received frame is sync step 2 (the answer to our step 1), without decoding Yjs. */
export function isSyncStep2(data: Uint8Array, prefix: number): boolean {
  return data[prefix] === MSG_SYNC && data[prefix + 1] === SYNC_STEP2;
}

/** Whether a received frame carries a document update (step 2 or update). */
export function isDocumentFrame(data: Uint8Array, prefix: number): boolean {
  return (
    data[prefix] === MSG_SYNC &&
    (data[prefix + 1] === SYNC_STEP2 || data[prefix + 1] === SYNC_UPDATE)
  );
}

export function isAwarenessFrame(data: Uint8Array, prefix: number): boolean {
  return data[prefix] === MSG_AWARENESS;
}
