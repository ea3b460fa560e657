/**
 * Webhooks against a real receiver (an HTTP server in the test): one signed call per burst of
 * edits (debounced, ids merged), naming the board by its view id; a retry after a 500 with the
 * same body; a receiver that never answers does not slow sync; outcomes in /metrics; only
 * http(s) URLs are accepted.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { ConfigError, parseConfig } from '../../server/config.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SECRET = 'webhook-test-secret-0123456789';
const DEBOUNCE_MS = 400;

interface Call {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { event: string; board: string; version: string; changed: string[]; changedCount: number };
}

/** The receiver: records every call; `answer` decides the status (or holds it unanswered). */
async function startReceiver(answer: (call: Call, index: number) => number | 'hang') {
  const calls: Call[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const call = { headers: req.headers, raw, body: JSON.parse(raw) as Call['body'] };
      calls.push(call);
      const status = answer(call, calls.length - 1);
      if (status === 'hang') hanging.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    calls,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      hanging.forEach((res) => res.destroy());
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a receiver does: recompute the HMAC of the raw body and compare in constant time. */
function signedBy(secret: string, call: Call): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(call.raw).digest('hex')}`,
  );
  const given = Buffer.from(String(call.headers['x-boardcast-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhooks', () => {
  /** Boards whose first call the receiver answers with 500; boards whose calls it never answers. */
  const failFirst = new Set<string>();
  const hangFor = new Set<string>();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let server: TestServer;
  const clients: StockClient[] = [];
  const connect = async (board: string) => {
    const client = connectStockClient(server.wsUrl, board);
    clients.push(client);
    await client.synced;
    return client;
  };
  const viewIdOf = async (board: string) =>
    ((await (await fetch(`${server.url}/api/boards/${board}/links`)).json()) as { viewId: string })
      .viewId;
  const callsFor = (viewId: string) => receiver.calls.filter((call) => call.body.board === viewId);
  const metric = async (outcome: string) =>
    metricValue(
      await (await fetch(`${server.url}/metrics`)).text(),
      `boardcast_webhook_calls_total{outcome="${outcome}"}`,
    );

  before(async () => {
    receiver = await startReceiver((call) => {
      if (hangFor.has(call.body.board)) return 'hang';
      if (failFirst.delete(call.body.board)) return 500;
      return 204;
    });
    server = await startTestServer({
      env: {
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_DEBOUNCE_MS: String(DEBOUNCE_MS),
        WEBHOOK_RETRY_MS: '100',
      },
    });
  });
  after(async () => {
    clients.forEach((client) => client.destroy());
    await server.close();
    await receiver.close();
  });

  it('sends one signed call per burst of edits, naming the board by its view id and every changed shape', async () => {
    const viewId = await viewIdOf('hook-burst');
    const editor = await connect('hook-burst');
    for (let i = 0; i < 5; i++) {
      addShapes(editor.doc, [rect(`burst-${i}`, i * 10)]);
      await delay(20);
    }
    await waitFor(() => callsFor(viewId).length === 1, 5_000, 'the call for the burst');
    await delay(DEBOUNCE_MS * 2);
    assert.equal(callsFor(viewId).length, 1, 'more than one call for one burst');
    const [call] = callsFor(viewId) as [Call];
    assert.equal(call.headers['content-type'], 'application/json');
    assert.ok(signedBy(SECRET, call), 'the signature does not verify');
    assert.ok(!signedBy('another secret', call));
    assert.equal(call.body.event, 'board.changed');
    assert.deepEqual(call.body.changed, ['burst-0', 'burst-1', 'burst-2', 'burst-3', 'burst-4']);
    assert.equal(call.body.changedCount, 5);
    assert.ok(!call.raw.includes('hook-burst'), 'the call carries the edit id');

    addShapes(editor.doc, [rect('later')]);
    await waitFor(() => callsFor(viewId).length === 2, 5_000, 'a call for the next change');
    const second = callsFor(viewId)[1] as Call;
    assert.deepEqual(second.body.changed, ['later']);
    assert.notEqual(second.body.version, call.body.version);
    assert.ok(signedBy(SECRET, second));
  });

  it('retries a call the receiver answered with 500, with the same body and delivery id', async () => {
    const viewId = await viewIdOf('hook-retry');
    failFirst.add(viewId);
    const retriedBefore = await metric('retried');
    const deliveredBefore = await metric('delivered');
    const editor = await connect('hook-retry');
    addShapes(editor.doc, [rect('retry-me')]);
    await waitFor(() => callsFor(viewId).length === 2, 5_000, 'the call and its retry');
    const [first, retry] = callsFor(viewId) as [Call, Call];
    assert.equal(retry.raw, first.raw);
    assert.equal(retry.headers['x-boardcast-delivery'], first.headers['x-boardcast-delivery']);
    assert.equal(first.headers['x-boardcast-attempt'], '1');
    assert.equal(retry.headers['x-boardcast-attempt'], '2');
    await delay(300);
    assert.equal(callsFor(viewId).length, 2, 'retried after it was delivered');
    assert.equal(await metric('retried'), retriedBefore + 1);
    assert.ok((await metric('delivered')) >= deliveredBefore + 1);
  });

  it('never slows sync: edits reach the other editor at once while the receiver does not answer', async () => {
    const viewId = await viewIdOf('hook-hang');
    hangFor.add(viewId);
    const [writer, reader] = [await connect('hook-hang'), await connect('hook-hang')];
    addShapes(writer.doc, [rect('first')]);
    await waitFor(() => callsFor(viewId).length === 1, 5_000, 'the call that hangs');
    const sentAt = Date.now();
    addShapes(writer.doc, [rect('second')]);
    await waitFor(
      () => readShapes(reader.doc).some((shape) => shape.id === 'second'),
      2_000,
      'the edit relayed',
    );
    assert.ok(Date.now() - sentAt < 1_000, 'sync waited for the webhook');
  });

  it('takes only an http(s) WEBHOOK_URL', () => {
    for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'not a url'])
      assert.throws(
        () => parseConfig({ WEBHOOK_URL: url }),
        (error: Error) => error instanceof ConfigError && /WEBHOOK_URL/.test(error.message),
      );
    assert.equal(
      parseConfig({ WEBHOOK_URL: 'https://hooks.example.com/x' }).webhookDebounceMs,
      2_000,
    );
  });
});
