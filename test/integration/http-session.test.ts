/**
 * The editor's HTTP session transport (contract: "Editors without WebSockets"; PROTOCOL.md
 * "HTTP session") against a real server: a stock y-websocket client and HTTP-session clients
 * converge; a dropped SSE request resumes with Last-Event-ID and misses nothing; a session that
 * does not collect its messages is bounded and skipped to a fresh sync; forged and foreign
 * session ids are refused; JWT refresh in-band; idle sessions close and their presence goes;
 * a deleted board closes its sessions with 4404; bodies are capped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';
import { encodeTokenMessage } from '../../common/protocol/token-message.ts';
import { metricValue, mint, TEST_SECRET } from '../helpers/auth.ts';
import { deleteBoard } from '../helpers/board-api.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import type { HttpSessionSocket } from '../../client/editor/http-session-socket.ts';
import { connectHttpClient, RawSession } from '../helpers/http-session-client.ts';
import { startUpgradeProxy, type UpgradeProxy } from '../helpers/upgrade-proxy.ts';
import { encodeAwarenessFrame, encodeSyncFrame } from '../helpers/raw-peer.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Applies the document messages among `messages` to `doc`; returns how many sync step 1s came. */
function applyMessages(doc: Y.Doc, messages: readonly Uint8Array[]): number {
  let step1s = 0;
  for (const message of messages) {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_TYPE.SYNC) continue;
    const step = decoding.readVarUint(decoder);
    const data = decoding.readVarUint8Array(decoder);
    if (step === SYNC_STEP.STEP1) step1s++;
    else Y.applyUpdate(doc, data);
  }
  return step1s;
}

const emptyStep1 = () => encodeSyncFrame(SYNC_STEP.STEP1, Y.encodeStateVector(new Y.Doc()));
const base64 = (data: string) => new Uint8Array(Buffer.from(data, 'base64'));

describe('HTTP sessions', () => {
  let server: TestServer;
  const clients: StockClient[] = [];
  const track = (client: StockClient) => (clients.push(client), client);

  before(async () => {
    server = await startTestServer({
      env: { MAX_BUFFERED_BYTES: '65536', PRESENCE_BUFFER_BYTES: '4096' },
    });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  it('lets a stock WebSocket client and HTTP-session clients (SSE and long poll) converge', async () => {
    const ws = track(connectStockClient(server.wsUrl, 'http-converge'));
    const sse = track(connectHttpClient(server.wsUrl, 'http-converge'));
    const poll = track(connectHttpClient(server.wsUrl, 'http-converge', { longPoll: true }));
    await Promise.all([ws.synced, sse.synced, poll.synced]);
    addShapes(ws.doc, [rect('from-ws', 1, 2)]);
    addShapes(sse.doc, [rect('from-sse', 3, 4)]);
    addShapes(poll.doc, [rect('from-poll', 5, 6)]);
    const all = (client: StockClient) => readShapes(client.doc).length === 3;
    await waitFor(() => all(ws) && all(sse) && all(poll), 10_000, 'three shapes everywhere');
    assert.deepEqual(readShapes(sse.doc), readShapes(ws.doc));
    assert.deepEqual(readShapes(poll.doc), readShapes(ws.doc));
  });

  it('answers with no-store and X-Accel-Buffering: no, and caps bodies (413)', async () => {
    const session = await RawSession.create(server.url, 'http-headers');
    const stream = session.stream();
    await waitFor(() => stream.status === 200, 5_000, 'the stream');
    assert.equal(stream.headers?.get('cache-control'), 'no-store');
    assert.equal(stream.headers?.get('x-accel-buffering'), 'no');
    assert.match(stream.headers?.get('content-type') ?? '', /text\/event-stream/);
    stream.close();
    const big = await session.post([new Uint8Array(9 * 1_048_576)]);
    assert.equal(big.status, 413);
  });

  it('resumes a dropped SSE request with Last-Event-ID and misses nothing', async () => {
    const writer = track(connectStockClient(server.wsUrl, 'http-resume'));
    await writer.synced;
    const session = await RawSession.create(server.url, 'http-resume');
    assert.equal((await session.post([emptyStep1()])).status, 204);
    const first = session.stream();
    addShapes(writer.doc, [rect('one', 0, 0)]);
    const reader = new Y.Doc();
    await waitFor(
      () => (
        applyMessages(
          reader,
          first.messages().map((e) => base64(e.data)),
        ),
        readShapes(reader).length === 1
      ),
      5_000,
      'the first shape',
    );
    const seen = first.messages().map((event) => Number(event.id));
    first.close(); // the request drops; edits go on meanwhile
    await first.done;
    for (let i = 0; i < 5; i++) addShapes(writer.doc, [rect(`later-${i}`, i, i)]);
    await waitFor(() => readShapes(writer.doc).length === 6, 5_000, 'writer');
    const last = seen[seen.length - 1] as number;
    const second = session.stream(last);
    await waitFor(
      () => {
        applyMessages(
          reader,
          second.messages().map((e) => base64(e.data)),
        );
        return readShapes(reader).length === 6;
      },
      5_000,
      'every later shape after the resume',
    );
    const resumed = second.messages().map((event) => Number(event.id));
    assert.equal(resumed[0], last + 1, 'continues right after the last id seen');
    resumed.forEach((seq, i) => assert.equal(seq, last + 1 + i, 'no gap, nothing twice'));
    assert.deepEqual(readShapes(reader), readShapes(writer.doc));
    second.close();
  });

  it('bounds a session that stops collecting, then skips it to a fresh sync', async () => {
    const writer = track(connectStockClient(server.wsUrl, 'http-slow'));
    await writer.synced;
    const session = await RawSession.create(server.url, 'http-slow');
    const before = metricValue(
      await (await fetch(`${server.url}/metrics`)).text(),
      'boardcast_refusals_total{reason="session_resync"}',
    );
    // Far more than MAX_BUFFERED_BYTES (64 KiB) relayed while nobody reads the session.
    for (let i = 0; i < 40; i++) {
      addShapes(writer.doc, [{ ...rect(`big-${i}`, i, i), text: 'x'.repeat(4_000) }]);
    }
    const observer = track(connectStockClient(server.wsUrl, 'http-slow'));
    await waitFor(() => readShapes(observer.doc).length === 40, 10_000, 'every edit relayed');
    const answer = await session.poll(1);
    assert.equal(answer.status, 200);
    const reader = new Y.Doc();
    assert.equal(applyMessages(reader, answer.messages), 1, 'a fresh sync step 1');
    assert.equal(readShapes(reader).length, 40, 'the fresh sync step 2 carries the whole board');
    const after = metricValue(
      await (await fetch(`${server.url}/metrics`)).text(),
      'boardcast_refusals_total{reason="session_resync"}',
    );
    assert.ok(after > before, 'the skip is counted');
  });

  it('refuses a forged session id and one used on another board (404)', async () => {
    const session = await RawSession.create(server.url, 'http-owner');
    const forged = new RawSession(session.base, 'AAAAAAAAAAAAAAAAAAAAAA');
    assert.equal((await forged.post([emptyStep1()])).status, 404);
    assert.equal((await forged.poll(0)).status, 404);
    const foreign = new RawSession(`${server.url}/api/boards/http-other/sessions`, session.sid);
    assert.equal((await foreign.post([emptyStep1()])).status, 404);
    assert.equal((await foreign.poll(0)).status, 404);
    assert.equal((await session.post([emptyStep1()])).status, 204, 'the real one still works');
  });

  it('closes a session on its board deletion with 4404 (event: close)', async () => {
    const session = await RawSession.create(server.url, 'http-deleted');
    const stream = session.stream();
    await waitFor(() => stream.messages().length > 0, 5_000, 'the first message');
    assert.equal((await deleteBoard(server.url, 'http-deleted')).status, 204);
    await waitFor(() => stream.events.some((e) => e.event === 'close'), 5_000, 'event: close');
    const close = stream.events.find((e) => e.event === 'close');
    assert.equal((JSON.parse(close?.data ?? '{}') as { code: number }).code, 4404);
  });

  it('hands numbered batches over in number order, whatever order they arrive in', async () => {
    const watcher = track(connectStockClient(server.wsUrl, 'http-order'));
    await watcher.synced;
    const session = await RawSession.create(server.url, 'http-order');
    const state = (name: string) => ({
      user: { name, color: '#123456' },
      cursor: null,
      selection: [],
    });
    const second = session.post(
      [encodeAwarenessFrame([{ clientId: 556, clock: 1, state: state('two') }])],
      2,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      watcher.provider.awareness.getStates().has(556),
      false,
      'batch 2 waits for batch 1',
    );
    const first = await session.post([emptyStep1()], 1);
    assert.equal(first.status, 204);
    assert.equal((await second).status, 204);
    await waitFor(() => watcher.provider.awareness.getStates().has(556), 5_000, 'batch 2 handled');
    assert.equal(
      (await session.post([emptyStep1()], 1)).status,
      204,
      'a re-sent batch is answered',
    );
  });

  it('replaces the first down-request with a second one', async () => {
    const session = await RawSession.create(server.url, 'http-replace');
    const first = session.stream();
    await waitFor(() => first.messages().length > 0, 5_000, 'first stream');
    const second = session.stream(0);
    await waitFor(() => first.events.some((e) => e.event === 'replaced'), 5_000, 'replaced');
    await waitFor(() => second.messages().length > 0, 5_000, 'second stream delivers');
    second.close();
  });
});

describe('HTTP sessions behind proxies', () => {
  let server: TestServer;
  let proxy: UpgradeProxy;
  const clients: StockClient[] = [];

  before(async () => {
    server = await startTestServer({ env: { RATE_UPDATES_BURST: '20', RATE_UPDATES_PER_S: '20' } });
    proxy = await startUpgradeProxy(server.port);
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await proxy.close();
    await server.close();
  });

  it('falls back from SSE to long polling where a proxy buffers the stream', async () => {
    proxy.bufferEventStreams = true;
    const direct = connectStockClient(server.wsUrl, 'http-buffered');
    const behind = connectHttpClient(`${proxy.url.replace('http:', 'ws:')}/ws`, 'http-buffered');
    clients.push(direct, behind);
    await Promise.all([direct.synced, behind.synced]);
    const socket = behind.provider.ws as unknown as HttpSessionSocket; // our polyfill, typed as a WebSocket
    assert.equal(socket.downMode, 'poll', 'no byte of SSE came through: long polling');
    addShapes(direct.doc, [rect('to-poller', 1, 1)]);
    addShapes(behind.doc, [rect('from-poller', 2, 2)]);
    await waitFor(
      () => readShapes(direct.doc).length === 2 && readShapes(behind.doc).length === 2,
      10_000,
      'both shapes on both sides',
    );
  });

  it('closes a flooding session with 4429, delivered as the POST answer', async () => {
    const session = await RawSession.create(server.url, 'http-flood');
    const frames = Array.from({ length: 60 }, () => emptyStep1());
    const answer = await session.post(frames);
    assert.equal(answer.status, 410);
    assert.equal(((await answer.json()) as { code: number }).code, 4429);
  });
});

describe('HTTP sessions that go idle', () => {
  let server: TestServer;
  let watcher: StockClient;

  before(async () => {
    server = await startTestServer({ env: { SESSION_IDLE_MS: '400' } });
  });
  after(async () => {
    watcher.destroy();
    await server.close();
  });

  it('closes an idle session and removes its presence for everyone', async () => {
    watcher = connectStockClient(server.wsUrl, 'http-idle');
    await watcher.synced;
    const session = await RawSession.create(server.url, 'http-idle');
    const state = { user: { name: 'idle', color: '#123456' }, cursor: null, selection: [] };
    assert.equal(
      (await session.post([encodeAwarenessFrame([{ clientId: 777, clock: 1, state }])])).status,
      204,
    );
    const states = () => watcher.provider.awareness.getStates();
    await waitFor(() => states().has(777), 5_000, 'the session presence');
    // No request for SESSION_IDLE_MS (400 ms): closed, presence removed.
    await waitFor(() => !states().has(777), 5_000, 'the presence removed');
    // What it had not collected is still delivered, then the close (410).
    const rest = await session.poll(0);
    const late = rest.status === 200 ? await session.poll(rest.last) : rest;
    assert.equal(late.status, 410);
  });
});

describe('HTTP sessions in JWT mode', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET, AUTH_LEEWAY_S: '0' } });
  });
  after(async () => server.close());

  it('needs a token to create a session (401), one for the board (403)', async () => {
    const base = `${server.url}/api/boards/jwt-http/sessions`;
    assert.equal((await fetch(base, { method: 'POST' })).status, 401);
    const other = await mint('another-board', 'edit');
    assert.equal((await fetch(`${base}?token=${other}`, { method: 'POST' })).status, 403);
  });

  it('stays open across an in-band refresh, and closes with 4401 when a token expires unrefreshed', async () => {
    const short = await mint('jwt-http', 'edit', 2);
    const refreshed = await RawSession.create(server.url, 'jwt-http', `?token=${short}`);
    const lapsed = await RawSession.create(server.url, 'jwt-http', `?token=${short}`);
    const fresh = await mint('jwt-http', 'edit', 600);
    assert.equal((await refreshed.post([encodeTokenMessage(fresh)])).status, 204);
    const lapsedStream = lapsed.stream();
    await waitFor(
      () => lapsedStream.events.some((e) => e.event === 'close'),
      8_000,
      'the unrefreshed session closed',
    );
    const close = lapsedStream.events.find((e) => e.event === 'close');
    assert.equal((JSON.parse(close?.data ?? '{}') as { code: number }).code, 4401);
    // The refreshed one is still open: later requests carry the fresh token.
    const now = new RawSession(refreshed.base, refreshed.sid, `?token=${fresh}`);
    assert.equal((await now.post([emptyStep1()])).status, 204);
    const answer = await now.poll(0);
    assert.equal(answer.status, 200);
  });
});
