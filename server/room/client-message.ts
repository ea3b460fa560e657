/**
 * Reads one y-protocols message a client sent to a room (grammar in PROTOCOL.md):
 *   sync (0)       = varUint(step) varUint8Array(data)      step 0: state vector, 1 and 2: update
 *   awareness (1)  = varUint8Array(awarenessUpdate)
 *   query (3)      = (empty)
 * The token message (100) is the session's, never the room's. Anything else, a trailing byte
 * or a message cut short is malformed: `readClientMessage` throws, and the sender is closed
 * with 1007.
 */
import * as decoding from 'lib0/decoding';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';

export type ClientMessage =
  | { kind: 'sync-step-1'; stateVector: Uint8Array }
  | { kind: 'update'; update: Uint8Array; step: 'sync-step-2' | 'update' }
  | { kind: 'awareness'; payload: Uint8Array }
  | { kind: 'query-awareness' };

export function readClientMessage(bytes: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(bytes);
  const type = decoding.readVarUint(decoder);
  const message = readPayload(type, decoder);
  if (decoding.hasContent(decoder))
    throw new Error(`trailing bytes after a message of type ${type}`);
  return message;
}

function readPayload(type: number, decoder: decoding.Decoder): ClientMessage {
  switch (type) {
    case MESSAGE_TYPE.SYNC:
      return readSync(decoder);
    case MESSAGE_TYPE.AWARENESS:
      return { kind: 'awareness', payload: decoding.readVarUint8Array(decoder) };
    case MESSAGE_TYPE.QUERY_AWARENESS:
      return { kind: 'query-awareness' };
    default:
      throw new Error(`unknown message type ${type}`);
  }
}

function readSync(decoder: decoding.Decoder): ClientMessage {
  const step = decoding.readVarUint(decoder);
  const data = decoding.readVarUint8Array(decoder);
  switch (step) {
    case SYNC_STEP.STEP1:
      return { kind: 'sync-step-1', stateVector: data };
    case SYNC_STEP.STEP2:
      return { kind: 'update', update: data, step: 'sync-step-2' };
    case SYNC_STEP.UPDATE:
      return { kind: 'update', update: data, step: 'update' };
    default:
      throw new Error(`unknown sync step ${step}`);
  }
}
