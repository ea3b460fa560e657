/**
 * A frame that goes to many peers at once (a relayed update, a presence flush). The room encodes
 * it once; a transport that wraps frames in its own wire format (WebSocket framing) does that
 * once per broadcast too, through `wire`, and then hands the same bytes to every socket.
 */
export class SharedFrame {
  /** The last transport encoding asked for, and its result: one transport does this today. */
  private wireEncoder: ((bytes: Uint8Array) => unknown) | null = null;
  private wireBytes: unknown = null;

  constructor(readonly bytes: Uint8Array) {}

  /** `encode(bytes)`, computed on the first call per encoder and shared by every later one. */
  wire<T>(encode: (bytes: Uint8Array) => T): T {
    if (this.wireEncoder !== encode) {
      this.wireBytes = encode(this.bytes);
      this.wireEncoder = encode;
    }
    return this.wireBytes as T;
  }
}
