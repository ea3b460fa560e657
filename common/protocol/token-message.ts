/**
 * The token message (type 100, PROTOCOL.md): `varUint(100) varString(jwt)`, client → server, JWT
 * mode. It carries a fresh token over an open WebSocket; the connection continues with its rights.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MESSAGE_TYPE } from './message-types.ts';

/** Longer than any token we mint by far; a bigger one is malformed. */
export const MAX_TOKEN_CHARS = 8_192;

/** Typed over a plain ArrayBuffer, so a browser WebSocket's `send` takes it as it is. */
export function encodeTokenMessage(token: string): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_TYPE.TOKEN_REFRESH);
  encoding.writeVarString(encoder, token);
  return new Uint8Array(encoding.toUint8Array(encoder));
}

/** Reads the payload after the type; throws on trailing bytes or an oversized token. */
export function readTokenPayload(decoder: decoding.Decoder): string {
  const token = decoding.readVarString(decoder);
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after token message');
  if (token.length > MAX_TOKEN_CHARS)
    throw new Error(`token longer than ${MAX_TOKEN_CHARS} characters`);
  return token;
}
