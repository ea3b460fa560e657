/** The servers under test: how to start each and how its clients address a room. */
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../clients/dialect.ts';

export const SERVER_NAMES = ['ours', 'yws', 'hocuspocus'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export interface ServerSpec {
  name: ServerName;
  /** As shown in the report. */
  label: string;
  dialect: Dialect;
  entry: string;
  /** Settings every run of this server gets (beyond port, host, data dir, log level). */
  env: Record<string, string>;
  /** WebSocket URL of a room. */
  roomUrl(port: number, room: string): string;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Every bench client connects from 127.0.0.1, so Boardcast's per-IP caps (200 WebSockets,
 * 100 SSE streams, 100 long polls by default) would refuse what are, in the scenarios, many
 * different users. They are lifted; its per-connection rate limits stay at their defaults.
 * The references have no such caps.
 */
export const OURS_BENCH_ENV: Record<string, string> = {
  MAX_CONNECTIONS_PER_IP: '1000000',
  MAX_SSE_STREAMS_PER_IP: '1000000',
  MAX_LONG_POLLS_PER_IP: '1000000',
};

export const SERVERS: Record<ServerName, ServerSpec> = {
  ours: {
    name: 'ours',
    label: 'Boardcast',
    dialect: 'y-websocket',
    entry: here('./ours.ts'),
    env: OURS_BENCH_ENV,
    roomUrl: (port, room) => `ws://127.0.0.1:${port}/ws/${room}`,
  },
  yws: {
    name: 'yws',
    label: '@y/websocket-server 0.1.1',
    dialect: 'y-websocket',
    entry: here('./yws.ts'),
    env: {},
    roomUrl: (port, room) => `ws://127.0.0.1:${port}/${room}`,
  },
  hocuspocus: {
    name: 'hocuspocus',
    label: '@hocuspocus/server 3.4.4',
    dialect: 'hocuspocus',
    entry: here('./hocuspocus.ts'),
    env: {},
    // Hocuspocus reads the document name from each frame; the path is only for logs.
    roomUrl: (port, room) => `ws://127.0.0.1:${port}/${room}`,
  },
};

export function isServerName(value: string): value is ServerName {
  return (SERVER_NAMES as readonly string[]).includes(value);
}
