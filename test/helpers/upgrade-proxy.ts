/**
 * A reverse proxy for tests that refuses WebSocket upgrades with 403, as a corporate proxy or a
 * stock nginx without the upgrade headers does, and passes every plain HTTP request (streamed,
 * so SSE works through it). `allowUpgrades = true` lets upgrades through again;
 * `bufferEventStreams = true` holds SSE answers back until they end (a buffering proxy).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface UpgradeProxy {
  url: string;
  /** False: every upgrade is answered 403. */
  allowUpgrades: boolean;
  /** Upgrades refused so far. */
  refused: number;
  /** True: `text/event-stream` answers are held until they end, as a buffering proxy does. */
  bufferEventStreams: boolean;
  close(): Promise<void>;
}

export async function startUpgradeProxy(targetPort: number): Promise<UpgradeProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: UpgradeProxy = {
    url: '',
    allowUpgrades: false,
    refused: 0,
    bufferEventStreams: false,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const isStream = String(answer.headers['content-type']).startsWith('text/event-stream');
        if (!proxy.bufferEventStreams || !isStream) return void answer.pipe(res);
        const held: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => held.push(chunk));
        answer.on('end', () => res.end(Buffer.concat(held)));
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!proxy.allowUpgrades) {
      proxy.refused++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => (sockets.delete(upstream), socket.destroy()));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
