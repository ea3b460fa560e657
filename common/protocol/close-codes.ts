/**
 * WebSocket close codes (contract: "WebSocket"). Each is a `{ code, reason }` pair; the client
 * uses the 44xx codes to stop retrying and say why.
 */
export const CLOSE = {
  /** The frame or update did not decode, broke the protocol, or threw while it was applied. */
  MALFORMED: { code: 1007, reason: 'malformed message' },
  /**
   * Over a limit that guards the server (update counts and sizes, the document layout, binary
   * content, subdocuments). Never for a bad shape value (repaired) or an early update (held).
   */
  OVER_LIMIT: { code: 1008, reason: 'over a documented limit' },
  /** One frame larger than the maximum message size. */
  TOO_BIG: { code: 1009, reason: 'message too big' },
  /** Unexpected server error while handling this peer. */
  INTERNAL_ERROR: { code: 1011, reason: 'internal error' },
  /** The server is shutting down or restarting; reconnect. */
  SERVER_RESTARTING: { code: 1012, reason: 'server restarting' },
  /** Try again later: storage refused a write, the peer read too slowly, or its held updates
   * waited past their bounds (it resyncs on reconnect). */
  TRY_AGAIN_LATER: { code: 1013, reason: 'try again later' },
  /** The board id is not valid. */
  BAD_ID: { code: 4400, reason: 'bad board id' },
  /** No token, or the token expired unrefreshed. */
  NOT_AUTHENTICATED: { code: 4401, reason: 'not authenticated' },
  /** The token is for another board or role, or the peer did something it may not. */
  FORBIDDEN: { code: 4403, reason: 'forbidden' },
  /** The board was deleted, or the link (edit or view id) this peer used was reset. */
  GONE: { code: 4404, reason: 'board deleted or link reset' },
  /** Too many messages. */
  RATE_LIMITED: { code: 4429, reason: 'rate limited' },
} as const;

export type CloseName = keyof typeof CLOSE;
export type CloseCode = (typeof CLOSE)[CloseName];

/** Codes after which a client should stop reconnecting (it would be refused again). */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500 && code !== CLOSE.RATE_LIMITED.code;
}
