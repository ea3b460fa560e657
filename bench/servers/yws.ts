/**
 * @y/websocket-server 0.1.1 as its own bin runs it (src/server.js: an http server whose
 * upgrades go to setupWSConnection, room = URL path), on a port from argv or PORT.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';
import { BENCH_HOST, announceReady, portFromArgs } from './ready.ts';

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('okay');
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(portFromArgs(), BENCH_HOST, () =>
  announceReady((server.address() as AddressInfo).port),
);
