/**
 * The request/response viewer routes: poll with ETags, long poll, SVG, CORS, 404 and 400,
 * view ids that never reveal the edit id, and versions that stay unique across a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addShapes, updateShapes } from '../../common/board/board-doc.ts';
import type { Patch, Snapshot } from '../../common/board/snapshot.ts';
import { connectStockClient, delay, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { readRaw, SseViewer } from '../helpers/viewer-clients.ts';

describe('viewer routes over HTTP', () => {
  let server: TestServer;
  const editors: StockClient[] = [];

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const editor of editors) editor.destroy();
    await server.close();
  });

  async function editBoard(boardId: string, shapes = [rect('first')]): Promise<StockClient> {
    const client = connectStockClient(server.wsUrl, boardId);
    editors.push(client);
    await client.synced;
    addShapes(client.doc, shapes);
    await delay(80);
    return client;
  }

  const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/boards/${path}`, init);

  it('answers a poll with the snapshot and its ETag, and 304 to a matching If-None-Match', async () => {
    const e = await editBoard('poll-etag');
    const first = await api('poll-etag');
    assert.equal(first.status, 200);
    const snapshot = (await first.json()) as Snapshot;
    assert.equal(first.headers.get('etag'), `"${snapshot.version}"`);
    assert.deepEqual(
      snapshot.shapes.map((s) => s.id),
      ['first'],
    );
    for (const tag of [
      `"${snapshot.version}"`,
      snapshot.version,
      `W/"${snapshot.version}"`,
      `"other", "${snapshot.version}"`,
    ]) {
      const again = await api('poll-etag', { headers: { 'if-none-match': tag } });
      assert.equal(again.status, 304, tag);
    }
    updateShapes(e.doc, new Map([['first', { x: 7 }]]));
    await delay(100);
    const changed = await api('poll-etag', {
      headers: { 'if-none-match': `"${snapshot.version}"` },
    });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), first.headers.get('etag'));
    assert.equal(((await changed.json()) as Snapshot).shapes[0]?.x, 7);
  });

  it('holds a long poll until the board changes, then answers with the patch', async () => {
    const e = await editBoard('long-poll');
    const snapshot = (await (await api('long-poll/poll')).json()) as Snapshot;
    assert.ok(Array.isArray(snapshot.shapes), 'no since: the snapshot');
    const started = Date.now();
    const waiting = api(`long-poll/poll?since=${snapshot.version}`);
    await delay(300);
    updateShapes(e.doc, new Map([['first', { y: 42 }]]));
    const answer = await waiting;
    assert.ok(Date.now() - started >= 300, 'it waited for the change');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const patch = (await answer.json()) as Patch;
    assert.equal(patch.base, snapshot.version);
    assert.deepEqual(
      patch.upsert.map((s) => [s.id, s.y]),
      [['first', 42]],
    );
  });

  it('answers a long poll with 204 at its timeout when nothing changed', async () => {
    await editBoard('long-poll-idle');
    const { version } = (await (await api('long-poll-idle')).json()) as Snapshot;
    const started = Date.now();
    const answer = await api(`long-poll-idle/poll?since=${version}&timeout=300`);
    const waited = Date.now() - started;
    assert.equal(answer.status, 204);
    assert.ok(waited >= 290 && waited < 2_000, `waited ${waited} ms`);
    const stale = await api('long-poll-idle/poll?since=old.1&timeout=300');
    assert.equal(stale.status, 200);
    assert.ok(((await stale.json()) as Snapshot).shapes, 'an unknown since gets the snapshot');
    assert.equal((await api(`long-poll-idle/poll?since=${version}&timeout=soon`)).status, 400);
  });

  it('is 404 for a board that was never created, on every route, and does not create it', async () => {
    for (const path of [
      'never-made',
      'never-made.svg',
      'never-made/poll?timeout=100',
      'never-made/events',
    ]) {
      const answer = await api(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.headers.get('access-control-allow-origin'), '*', path);
    }
    assert.equal(await server.server.context.store.findBoard('never-made'), null);
    for (const path of ['bad%20id', `${'x'.repeat(65)}/events`, 'bad%20id/poll', 'bad%20id.svg']) {
      assert.equal((await api(path)).status, 400, path);
    }
  });

  it('by view id: snapshots carry the view id and no answer contains the edit id', async () => {
    const editId = 'secret-edit-id-7Qx';
    await editBoard(editId, [rect('shape-1'), { ...rect('note'), type: 'sticky', text: 'hello' }]);
    const links = (await (await api(`${editId}/links`)).json()) as { viewId: string };
    const { viewId } = links;
    const bodies: string[] = [];
    const poll = await api(viewId);
    const pollText = await poll.text();
    bodies.push(pollText, [...poll.headers].join('\n'));
    assert.equal((JSON.parse(pollText) as Snapshot).id, viewId);
    const longPoll = await (await api(`${viewId}/poll`)).text();
    assert.equal((JSON.parse(longPoll) as Snapshot).id, viewId);
    bodies.push(longPoll, await (await api(`${viewId}.svg`)).text());
    const sse = await readRaw(
      `${server.url}/api/boards/${viewId}/events`,
      /event: snapshot[^]*\n\n/,
    );
    bodies.push(sse.text, JSON.stringify(sse.headers));
    assert.match(sse.text, new RegExp(`"id":"${viewId}"`));
    for (const body of bodies) assert.ok(!body.includes(editId), 'edit id leaked');
    assert.equal((await api(`${viewId}/links`)).status, 403);
  });

  it('answers any origin, preflight included', async () => {
    await editBoard('cors-board');
    const preflight = await api('cors-board/events', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'last-event-id',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/i);
    const poll = await api('cors-board', { headers: { origin: 'https://elsewhere.example' } });
    assert.equal(poll.headers.get('access-control-allow-origin'), '*');
    assert.match(poll.headers.get('access-control-expose-headers') ?? '', /ETag/);
  });

  it('draws the board as SVG with every text escaped', async () => {
    await editBoard('svg-board', [
      {
        ...rect('t1', 40, 60),
        type: 'text',
        width: 0,
        text: '<script>alert(1)</script> & "quotes"',
      },
      { ...rect('s1', 300, 80), type: 'sticky', text: '<img src=x onerror=alert(2)>' },
    ]);
    const answer = await api('svg-board.svg');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    const svg = await answer.text();
    assert.ok(!/<script/i.test(svg) && !/<img/i.test(svg), 'no markup from board text');
    assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    const [x, y, w, h] = (/viewBox="([^"]+)"/.exec(svg)?.[1] ?? '').split(' ').map(Number);
    assert.ok(
      x! <= 40 && y! <= 60 && x! + w! >= 400 && y! + h! >= 130,
      `viewBox ${x} ${y} ${w} ${h}`,
    );
  });

  it('keeps versions unique across a restart, so a stale one gets a snapshot', async () => {
    await editBoard('restarted');
    for (const editor of editors.splice(0)) editor.destroy();
    const { version } = (await (await api('restarted')).json()) as Snapshot;
    const sse = new SseViewer(`${server.url}/api/boards/restarted/events`);
    await server.restart();
    sse.close();
    const after = await api(`restarted/poll?since=${version}&timeout=2000`);
    assert.equal(after.status, 200);
    const snapshot = (await after.json()) as Snapshot;
    assert.notEqual(snapshot.version, version);
    assert.deepEqual(
      snapshot.shapes.map((s) => s.id),
      ['first'],
    );
  });
});
