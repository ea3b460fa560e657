/**
 * WebSocket message types (PROTOCOL.md). 0–3 are the y-websocket protocol's own, so the stock
 * client works unchanged; Boardcast's own types start at 100, far from Yjs's.
 *
 *   message        = varUint(messageType) payload
 *   sync (0)       = varUint(0 step1 | 1 step2 | 2 update) varUint8Array(stateVector | update)
 *   awareness (1)  = varUint8Array(awarenessUpdate)
 *   auth (2)       = varUint(0 permission denied) varString(reason)       (server → client)
 *   query (3)      = (empty)                                              (client → server)
 *   token (100)    = varString(jwt)                                       (client → server)
 */
export const MESSAGE_TYPE = {
  SYNC: 0,
  AWARENESS: 1,
  AUTH: 2,
  QUERY_AWARENESS: 3,
  TOKEN_REFRESH: 100,
} as const;
export type MessageType = (typeof MESSAGE_TYPE)[keyof typeof MESSAGE_TYPE];

/** y-protocols sync sub-types. */
export const SYNC_STEP = {
  STEP1: 0,
  STEP2: 1,
  UPDATE: 2,
} as const;
