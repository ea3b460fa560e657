/**
 * Encoders for the frames the server sends (grammar in common/protocol/message-types.ts and
 * PROTOCOL.md). Each broadcast frame is encoded once and the same bytes go to every peer.
 */
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';

function syncFrame(step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_TYPE.SYNC);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
  return syncFrame(SYNC_STEP.STEP1, stateVector);
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  return syncFrame(SYNC_STEP.STEP2, update);
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  return syncFrame(SYNC_STEP.UPDATE, update);
}

export function encodeAwarenessFrame(awarenessUpdate: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_TYPE.AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessUpdate);
  return encoding.toUint8Array(encoder);
}
