/**
 * Webhooks (WEBHOOK_URL): a POST when a board changes, at most one per board per
 * WEBHOOK_DEBOUNCE_MS, its changed shape ids merged over the window:
 *
 *   { "event": "board.changed", "board": "<viewId>", "version": "<opaque>",
 *     "changed": ["<shapeId>", …], "changedCount": n, "at": "<ISO time>" }
 *
 * signed `X-Boardcast-Signature: sha256=<hex HMAC-SHA256 of the body with WEBHOOK_SECRET>`.
 * The board is named by its VIEW id (a receiver can read it, `GET /api/boards/<viewId>`, but
 * the call never hands out editing rights). `version` is a digest of the board's merged state:
 * the same board state gives the same version on every instance.
 *
 * Off the sync path: a change only adds ids to a set and arms a timer; the POSTs run from a
 * bounded queue (the oldest waiting call is dropped when full, counted), at most MAX_IN_FLIGHT
 * at a time, each with a timeout. A network error, a timeout, 408, 429 or 5xx is retried after
 * WEBHOOK_RETRY_MS, doubling (at most MAX_RETRY_DELAY_MS), up to WEBHOOK_MAX_ATTEMPTS tries; any
 * other answer than 2xx (redirects included: the target is the setting, nothing else) is final.
 *
 * Scale-out: each instance reports the changes made through it (not those relayed from other
 * instances), so with editors on two instances a board can get one call per instance per window.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ShapesChange } from '../room/room-events.ts';
import type { Room } from '../room/room.ts';

/** Calls waiting to be sent (retries included) before the oldest is dropped. */
export const MAX_QUEUED = 1_000;

/** What the notifier needs of a room (the registry hands it each loaded Room). */
export type WatchedRoom = Pick<Room, 'key' | 'viewId' | 'subscribe' | 'fullState'>;
/** Calls being sent at once. */
const MAX_IN_FLIGHT = 4;
/** A receiver that has not answered within this long counts as a failed try. */
export const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RETRY_DELAY_MS = 60_000;
/** Ids listed per call; a bigger change lists this many and says how many in `changedCount`. */
export const MAX_LISTED_IDS = 1_000;

export interface WebhookOptions {
  url: string;
  secret: string | null;
  debounceMs: number;
  maxAttempts: number;
  retryMs: number;
  log: Logger;
  metrics: Metrics;
  /** MAX_QUEUED unless a test asks for fewer. */
  maxQueued?: number;
}

interface Delivery {
  id: string;
  board: string;
  body: string;
  attempt: number;
}

/** One board's open window: the ids changed since its last call. */
interface Window {
  room: WatchedRoom;
  ids: Set<string>;
  timer: NodeJS.Timeout;
}

type Outcome = 'delivered' | 'retried' | 'failed' | 'dropped';

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether a failed try may succeed later. */
function retryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

export class WebhookNotifier {
  private readonly windows = new Map<string, Window>();
  private readonly queue: Delivery[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly sending = new Set<AbortController>();
  private idle: Array<() => void> = [];
  private closed = false;
  private readonly outcomes: Counter<'outcome'>;
  private readonly waiting: Gauge;

  constructor(private readonly options: WebhookOptions) {
    const registers = [options.metrics.registry];
    this.outcomes = new Counter({
      name: 'boardcast_webhook_calls_total',
      help: 'Webhook calls by outcome (delivered, retried: a try failed and another follows, failed: given up, dropped: queue full or shutting down)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.waiting = new Gauge({
      name: 'boardcast_webhook_queue',
      help: 'Webhook calls waiting to be sent or retried',
      registers,
    });
  }

  /** Reports the room's changes from now on (the registry calls this for each loaded room). */
  watch(room: WatchedRoom): void {
    const unsubscribe = room.subscribe({
      shapesChanged: (change) => this.changed(room, change),
      roomClosed: () => {
        unsubscribe();
        this.flush(room.key); // the last changes of a board that unloads are not lost
      },
    });
  }

  /**
   * Stops: open windows are sent at once, and whatever is still unsent after `graceMs` is
   * abandoned (counted as dropped).
   */
  async close(graceMs = 2_000): Promise<void> {
    for (const key of [...this.windows.keys()]) this.flush(key);
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.count('dropped', this.retryTimers.size);
    this.retryTimers.clear();
    const drained = new Promise<void>((resolve) => this.idle.push(resolve));
    this.checkIdle();
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.count('dropped', this.queue.length);
    this.queue.length = 0;
    for (const controller of this.sending) controller.abort();
    this.updateGauge();
  }

  private changed(room: WatchedRoom, change: ShapesChange): void {
    // Another instance made it, and reports it itself.
    if (change.source === 'replica' || this.closed || change.ids.size === 0) return;
    let window = this.windows.get(room.key);
    if (!window) {
      const timer = setTimeout(() => this.flush(room.key), this.options.debounceMs);
      timer.unref();
      window = { room, ids: new Set(), timer };
      this.windows.set(room.key, window);
    }
    for (const id of change.ids) window.ids.add(id);
  }

  /** Ends a board's window: its call joins the queue. */
  private flush(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    this.windows.delete(key);
    clearTimeout(window.timer);
    const ids = [...window.ids].sort();
    const body = JSON.stringify({
      event: 'board.changed',
      board: window.room.viewId,
      version: createHash('sha256')
        .update(window.room.fullState())
        .digest('base64url')
        .slice(0, 22),
      changed: ids.slice(0, MAX_LISTED_IDS),
      changedCount: ids.length,
      at: new Date().toISOString(),
    });
    this.enqueue({ id: randomUUID(), board: window.room.viewId, body, attempt: 1 });
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return this.count('dropped');
    if (this.queue.length + this.retryTimers.size >= (this.options.maxQueued ?? MAX_QUEUED)) {
      // The oldest waiting call goes; when all that wait are retries (timers), this one does.
      const dropped = this.queue.shift() ?? delivery;
      this.count('dropped');
      this.options.log.warn({ board: dropped.board }, 'webhook queue full: a call dropped');
      if (dropped === delivery) return;
    }
    this.queue.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (this.sending.size < MAX_IN_FLIGHT && this.queue.length > 0) {
      const delivery = this.queue.shift() as Delivery;
      const controller = new AbortController();
      this.sending.add(controller);
      void this.send(delivery, controller).finally(() => {
        this.sending.delete(controller);
        this.pump();
        this.checkIdle();
      });
    }
    this.updateGauge();
  }

  private async send(delivery: Delivery, controller: AbortController): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Boardcast-Webhook',
      'x-boardcast-event': 'board.changed',
      'x-boardcast-delivery': delivery.id,
      'x-boardcast-attempt': String(delivery.attempt),
    };
    if (this.options.secret)
      headers['x-boardcast-signature'] = signature(this.options.secret, delivery.body);
    const timeout = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let status: number | null = null;
    let problem = '';
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      problem = (error as Error).message;
    } finally {
      clearTimeout(timeout);
    }
    if (status !== null && status >= 200 && status < 300) return this.count('delivered');
    const log = { board: delivery.board, attempt: delivery.attempt, status, err: problem };
    if (!retryable(status) || delivery.attempt >= this.options.maxAttempts || this.closed) {
      this.options.log.warn(log, 'webhook call failed; given up');
      return this.count('failed');
    }
    this.options.log.info(log, 'webhook call failed; will retry');
    this.count('retried');
    this.retryLater({ ...delivery, attempt: delivery.attempt + 1 });
  }

  private retryLater(delivery: Delivery): void {
    const wait = Math.min(
      MAX_RETRY_DELAY_MS,
      this.options.retryMs * 2 ** (delivery.attempt - 2), // attempt 2 waits retryMs
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.enqueue(delivery);
    }, wait);
    timer.unref();
    this.retryTimers.add(timer);
    this.updateGauge();
  }

  private count(outcome: Outcome, n = 1): void {
    if (n > 0) this.outcomes.inc({ outcome }, n);
  }

  private updateGauge(): void {
    this.waiting.set(this.queue.length + this.retryTimers.size);
  }

  private checkIdle(): void {
    if (this.sending.size > 0 || this.queue.length > 0) return;
    const waiters = this.idle;
    this.idle = [];
    waiters.forEach((resolve) => resolve());
  }
}
