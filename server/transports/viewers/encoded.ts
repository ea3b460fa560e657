/**
 * One snapshot or patch, encoded once and shared by every viewer that needs it: the JSON body
 * (poll and long poll) and, when first asked for, the SSE frame (`event`, `id: <version>`,
 * `data`). JSON.stringify never emits a raw line break, so the body is one valid `data:` line.
 */
import type { FeedEventName } from '../../../common/board/snapshot.ts';

export type { FeedEventName };

export class Encoded {
  private sseFrame: Buffer | null = null;

  constructor(
    readonly event: FeedEventName,
    readonly version: string,
    readonly body: Buffer,
  ) {}

  static of(event: FeedEventName, version: string, value: unknown): Encoded {
    return new Encoded(event, version, Buffer.from(JSON.stringify(value)));
  }

  /** The SSE event; built on first use, then shared. */
  get frame(): Buffer {
    this.sseFrame ??= Buffer.concat([
      Buffer.from(`event: ${this.event}\nid: ${this.version}\ndata: `),
      this.body,
      Buffer.from('\n\n'),
    ]);
    return this.sseFrame;
  }
}
