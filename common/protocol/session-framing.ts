/**
 * Framing of the HTTP session transport (PROTOCOL.md "HTTP session"): the same y-protocols
 * messages the WebSocket carries, several to a body.
 *
 *   batch        = { varUint8Array(message) }*          (POST …/messages body, long-poll body)
 *   sse event    = "id: " seq "\n" "data: " base64(message) "\n\n"
 *
 * Isomorphic (browser and Node): lib0 only, no Buffer. Base64 is `atob` on the client, Buffer on
 * the server.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** The SSE event that ends a session: `data` is `{ "code", "reason" }` (a close code). */
export const SESSION_CLOSE_EVENT = 'close';
/** The SSE event that ends a stream replaced by a newer down-request of the same session. */
export const SESSION_REPLACED_EVENT = 'replaced';
/** Long poll: the header naming the sequence number of the last message in the body. */
export const LAST_SEQ_HEADER = 'x-boardcast-last-seq';
/** Long poll: the header naming the sequence number of the first message in the body. */
export const FIRST_SEQ_HEADER = 'x-boardcast-first-seq';

export function encodeBatch(messages: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const message of messages) encoding.writeVarUint8Array(encoder, message);
  return encoding.toUint8Array(encoder);
}

/** Throws on a cut-short body (a length past its end). */
export function decodeBatch(body: Uint8Array): Uint8Array[] {
  const decoder = decoding.createDecoder(body);
  const messages: Uint8Array[] = [];
  while (decoding.hasContent(decoder)) {
    const length = decoding.readVarUint(decoder);
    if (length > body.byteLength - decoder.pos) throw new Error('a message runs past the body');
    messages.push(decoding.readUint8Array(decoder, length));
  }
  return messages;
}
