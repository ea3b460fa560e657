import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { delay, waitFor } from '../helpers/clients.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

/** A client of the proxy that records what the echo server sent back and whether it closed. */
function dial(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { received: '', closed: false, socket };
  socket.on('data', (chunk) => (state.received += chunk.toString()));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  return state;
}

describe('the fault proxy', () => {
  let echo: net.Server;
  let proxy: FaultProxy;

  before(async () => {
    echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startFaultProxy({
      host: '127.0.0.1',
      port: (echo.address() as net.AddressInfo).port,
    });
  });
  after(async () => {
    await proxy.close();
    echo.close();
  });

  it('forwards both ways while open', async () => {
    const client = dial(proxy.port);
    client.socket.write('hello');
    await waitFor(() => client.received === 'hello', 2_000, 'the echo');
    client.socket.destroy();
  });

  it('stall holds bytes without closing, and restore delivers them', async () => {
    const client = dial(proxy.port);
    client.socket.write('a');
    await waitFor(() => client.received === 'a', 2_000, 'the first echo');
    proxy.stall();
    client.socket.write('b');
    const late = dial(proxy.port);
    late.socket.write('c');
    await delay(200);
    assert.equal(client.received, 'a');
    assert.equal(late.received, '');
    assert.equal(client.closed || late.closed, false);
    proxy.restore();
    await waitFor(() => client.received === 'ab' && late.received === 'c', 2_000, 'held bytes');
    client.socket.destroy();
    late.socket.destroy();
  });

  it('cut closes every connection and refuses new ones until restored', async () => {
    const client = dial(proxy.port);
    client.socket.write('x');
    await waitFor(() => client.received === 'x', 2_000, 'the echo');
    proxy.cut();
    await waitFor(() => client.closed, 2_000, 'the connection closed');
    const refused = dial(proxy.port);
    refused.socket.write('y');
    await waitFor(() => refused.closed, 2_000, 'a new connection refused');
    assert.equal(refused.received, '');
    proxy.restore();
    const again = dial(proxy.port);
    again.socket.write('z');
    await waitFor(() => again.received === 'z', 2_000, 'the echo after restore');
    again.socket.destroy();
  });

  it('slow delays every chunk, in order', async () => {
    proxy.slow(100);
    const client = dial(proxy.port);
    const sentAt = Date.now();
    client.socket.write('1');
    await delay(10);
    client.socket.write('2');
    await waitFor(() => client.received === '12', 2_000, 'both echoes');
    assert.ok(Date.now() - sentAt >= 200, 'each way is delayed');
    proxy.restore();
    client.socket.destroy();
  });
});
