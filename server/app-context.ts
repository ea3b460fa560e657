/** What route factories and transports are handed: the server's parts, passed, never imported. */
import type { Config } from './config.ts';
import type { BoardHistory } from './history/board-history.ts';
import type { IncomingMessage } from 'node:http';
import type { IpSlots } from './limits/ip-slots.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { RoomRegistry } from './room/room-registry.ts';
import type { BoardStore } from './storage/board-store.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  metrics: Metrics;
  store: BoardStore;
  registry: RoomRegistry;
  /** Board history: checkpoints of edited boards (server/history/). */
  history: BoardHistory;
  /** The built client (vite build output). */
  distDir: string;
  /** True once shutdown began: new work is refused. */
  isShuttingDown(): boolean;
  /** Scale-out: the shared services that are down right now (e.g. `postgres`); empty when healthy. */
  degraded?(): string[];
  /** This instance's base URL as other instances reach it (scale-out forwarding); once listening. */
  selfUrl?(): string;
  /** Registers a cleanup run at shutdown before storage closes (e.g. ending SSE streams). */
  onShutdown(cleanup: () => void | Promise<void>): void;
  /** Per-address caps (server/limits/ip-slots.ts): acquire a slot per open stream, release on close. */
  limits: {
    websocket: IpSlots;
    sse: IpSlots;
    longPoll: IpSlots;
    /** The address caps count by (TRUST_PROXY aware). */
    clientAddress(req: IncomingMessage): string;
  };
}
