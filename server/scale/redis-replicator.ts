/**
 * RoomReplicator over Redis pub/sub (ioredis; loaded only when REDIS_URL is set). One channel per
 * loaded board, `<prefix>board:<key>` (the board's internal key); one connection subscribes, one publishes.
 *
 *   message = kind:u8 origin:8 bytes payload
 *   kind    = 0 update (a committed Yjs update) | 1 presence (an awareness frame)
 *           | 2 resync (the origin may have failed to publish: re-read storage)
 *           | 3 presence query (the origin just loaded the board: publish your peers' presence)
 *           | 4 changed (a link of the board was reset or the board deleted: re-read its ids)
 *
 * Pub/sub delivers at most once, so every gap is closed from PostgreSQL, which holds everything
 * ever published: when the link comes back, each board subscribes again and then re-reads its
 * log (`resync`), and an instance whose publishes failed meanwhile asks the others to do the
 * same. A message from this instance (same origin) is ignored.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';
import type { ReplicaHandlers, RoomReplicator } from '../room/room-replicator.ts';

const KIND = { UPDATE: 0, PRESENCE: 1, RESYNC: 2, PRESENCE_QUERY: 3, CHANGED: 4 } as const;
type Kind = (typeof KIND)[keyof typeof KIND];
const ORIGIN_BYTES = 8;
const HEADER_BYTES = 1 + ORIGIN_BYTES;
/** Reconnect delays grow by this much per attempt, up to the maximum. */
const RECONNECT_STEP_MS = 100;
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface RedisReplicatorOptions {
  url: string;
  channelPrefix: string;
  /**
   * A connection that gets no answer this long while one is due is dropped and redialled (the
   * link is down meanwhile); both are pinged every third of it, so a Redis that hangs without
   * closing (a stalled host, a black-holed network) is noticed too, not only a closed one.
   */
  timeoutMs: number;
  log: Logger;
  /** Called whenever the link goes up or down. */
  onLinkChange?(up: boolean): void;
  /** Counts messages by direction and kind. */
  onMessage?(direction: 'in' | 'out', kind: KindName): void;
}

const KIND_NAMES = ['update', 'presence', 'resync', 'presence_query', 'changed'] as const;
type KindName = (typeof KIND_NAMES)[number];

export class RedisReplicator implements RoomReplicator {
  private readonly origin = randomBytes(ORIGIN_BYTES);
  private readonly handlers = new Map<string, ReplicaHandlers>();
  /** Channels whose publishes failed since the link was last up. */
  private readonly unpublished = new Set<string>();
  private readonly sub: Redis;
  private readonly pub: Redis;
  private readonly heartbeat: NodeJS.Timeout;
  private up = false;
  private closed = false;

  constructor(private readonly options: RedisReplicatorOptions) {
    const redisOptions: RedisOptions = {
      // Commands fail at once while the link is down: storage covers the gap, a queue would not.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.timeoutMs,
      // Covers the handshake too: a Redis that accepts but never answers is redialled.
      socketTimeout: options.timeoutMs,
      retryStrategy: (attempt: number) =>
        Math.min(attempt * RECONNECT_STEP_MS, MAX_RECONNECT_DELAY_MS),
    };
    this.sub = new Redis(options.url, { ...redisOptions, autoResubscribe: false });
    this.pub = new Redis(options.url, redisOptions);
    for (const connection of [this.sub, this.pub]) {
      connection.on('ready', () => this.checkLink());
      connection.on('close', () => this.checkLink());
      connection.on('error', (error: Error) =>
        options.log.debug({ err: error.message }, 'redis connection error'),
      );
    }
    this.heartbeat = setInterval(() => this.ping(), Math.max(1, Math.floor(options.timeoutMs / 3)));
    this.heartbeat.unref();
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.receive(channel.toString(), message),
    );
  }

  get isUp(): boolean {
    return this.up;
  }

  async subscribe(key: string, handlers: ReplicaHandlers): Promise<void> {
    const channel = this.channelOf(key);
    this.handlers.set(channel, handlers);
    // While the link is down the board loads anyway; it subscribes and resyncs when it is back.
    if (!this.up) return;
    try {
      await this.sub.subscribe(channel);
    } catch (error) {
      this.options.log.warn(
        { board: key, err: (error as Error).message },
        'redis subscribe failed; will resync',
      );
    }
  }

  unsubscribe(key: string): void {
    const channel = this.channelOf(key);
    if (!this.handlers.delete(channel)) return;
    this.unpublished.delete(channel);
    if (this.up) this.sub.unsubscribe(channel).catch(() => undefined);
  }

  publishUpdate(key: string, update: Uint8Array): void {
    this.publish(this.channelOf(key), KIND.UPDATE, update);
  }

  publishPresence(key: string, frame: Uint8Array): void {
    this.publish(this.channelOf(key), KIND.PRESENCE, frame);
  }

  queryPresence(key: string): void {
    this.publish(this.channelOf(key), KIND.PRESENCE_QUERY, new Uint8Array(0));
  }

  announceChange(key: string): void {
    this.publish(this.channelOf(key), KIND.CHANGED, new Uint8Array(0));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.handlers.clear();
    this.sub.disconnect();
    this.pub.disconnect();
  }

  private channelOf(key: string): string {
    return boardChannel(this.options.channelPrefix, key);
  }

  private publish(channel: string, kind: Kind, payload: Uint8Array): void {
    const message = encodeReplicaMessage(kind, this.origin, payload);
    const failed = () => {
      // Presence renews itself; a lost update or change is recovered by a resync once the
      // link is back (a resync re-reads the board's ids as well as its log).
      if (kind !== KIND.PRESENCE && kind !== KIND.PRESENCE_QUERY) this.unpublished.add(channel);
    };
    if (!this.up) return failed();
    this.options.onMessage?.('out', KIND_NAMES[kind]);
    this.pub.publish(channel, message).catch(failed);
  }

  private receive(channel: string, message: Buffer): void {
    const handlers = this.handlers.get(channel);
    if (!handlers || message.byteLength < HEADER_BYTES) return;
    if (this.origin.equals(message.subarray(1, HEADER_BYTES))) return;
    const kind = message[0];
    const payload = new Uint8Array(
      message.buffer,
      message.byteOffset + HEADER_BYTES,
      message.byteLength - HEADER_BYTES,
    );
    const name = KIND_NAMES[kind as Kind];
    if (!name) return;
    this.options.onMessage?.('in', name);
    try {
      if (kind === KIND.UPDATE) handlers.update(payload);
      else if (kind === KIND.PRESENCE) handlers.presence(payload);
      else if (kind === KIND.RESYNC || kind === KIND.CHANGED) handlers.resync();
      else handlers.presenceQuery();
    } catch (error) {
      this.options.log.error({ channel, err: error }, 'replicated message failed to apply');
    }
  }

  /** A ping on each ready connection; one unanswered within timeoutMs drops it (socketTimeout). */
  private ping(): void {
    for (const connection of [this.sub, this.pub])
      if (connection.status === 'ready') connection.ping().catch(() => undefined);
  }

  private checkLink(): void {
    const up = !this.closed && this.sub.status === 'ready' && this.pub.status === 'ready';
    if (up === this.up) return;
    this.up = up;
    this.options.onLinkChange?.(up);
    if (up) void this.recover();
    else this.options.log.warn('redis link down: serving local peers only until it is back');
  }

  /** Subscribes every loaded board again, catches each up, asks others to catch up on ours. */
  private async recover(): Promise<void> {
    const channels = [...this.handlers.keys()];
    try {
      if (channels.length > 0) await this.sub.subscribe(...channels);
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'redis resubscribe failed');
      return; // the link dropped again; the next 'ready' retries
    }
    this.options.log.info({ boards: channels.length }, 'redis link up: resyncing loaded boards');
    for (const channel of channels) this.handlers.get(channel)?.resync();
    const unpublished = [...this.unpublished];
    this.unpublished.clear();
    for (const channel of unpublished) this.publish(channel, KIND.RESYNC, new Uint8Array(0));
  }
}

/** The channel of one board: `<prefix>board:<key>`. */
export function boardChannel(prefix: string, key: string): string {
  return `${prefix}board:${key}`;
}

function encodeReplicaMessage(kind: Kind, origin: Buffer, payload: Uint8Array): Buffer {
  const message = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  message[0] = kind;
  origin.copy(message, 1);
  message.set(payload, HEADER_BYTES);
  return message;
}

/**
 * For a process that is not a server (the operator CLI): the "changed" message for a board, so
 * every instance that has it loaded re-reads its ids (and drops it once deleted).
 */
export function changedMessage(): Buffer {
  return encodeReplicaMessage(KIND.CHANGED, randomBytes(ORIGIN_BYTES), new Uint8Array(0));
}
