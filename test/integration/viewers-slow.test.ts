/**
 * Viewers that read slowly or not at all must not make the server buffer without bound, nor
 * hold back anyone else; the patch ring and the waiting polls are bounded too. Runs a second
 * viewer server with small limits over the same rooms.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addShapes, updateShapes } from '../../common/board/board-doc.ts';
import type { Patch, Snapshot } from '../../common/board/snapshot.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  metric,
  openStuckViewer,
  readRaw,
  SseViewer,
  startTunedViewerServer,
  type TunedViewerServer,
} from '../helpers/viewer-clients.ts';

const SLOW_VIEWER_BYTES = 64 * 1_024;
const SHAPES = 100;
const TEXT = 'x'.repeat(4_000);
const RING_PATCHES = 4;

describe('slow SSE viewers', () => {
  let server: TestServer;
  let viewers: TunedViewerServer;
  const editors: StockClient[] = [];

  before(async () => {
    // One editor here writes ~40,000 updates a second on purpose: lift the per-connection rate limit.
    server = await startTestServer({
      env: { RATE_UPDATES_PER_S: '100000', RATE_UPDATES_BURST: '1000000' },
    });
    viewers = await startTunedViewerServer(server, {
      slowViewerBytes: SLOW_VIEWER_BYTES,
      stalledViewerMs: 1_500,
      keepaliveMs: 100,
      ringMaxPatches: RING_PATCHES,
      maxPendingPollsPerBoard: 2,
    });
  });
  after(async () => {
    for (const editor of editors) editor.destroy();
    await viewers.close();
    await server.close();
  });

  async function editor(boardId: string): Promise<StockClient> {
    const client = connectStockClient(server.wsUrl, boardId);
    editors.push(client);
    await client.synced;
    return client;
  }

  it('bounds what a viewer that never reads costs, cuts it, and keeps others live', async () => {
    const e = await editor('slow-board');
    addShapes(
      e.doc,
      Array.from({ length: SHAPES }, (_, i) => rect(`s${i}`, i * 10, 0)),
    );
    const healthy = new SseViewer(`${viewers.url}/api/boards/slow-board/events`);
    await waitFor(() => healthy.shapes.size === SHAPES, 3_000, 'healthy snapshot');
    const stuck = await openStuckViewer(viewers.port, '/api/boards/slow-board/events');
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      void viewers.metricsText().then((text) => {
        maxBuffered = Math.max(
          maxBuffered,
          metric(text, 'boardcast_viewer_buffered_bytes', 'stat="max"'),
        );
      });
    }, 20);
    try {
      for (let i = 0; i < 10_000; i++) {
        updateShapes(e.doc, new Map([[`s${i % SHAPES}`, { text: `${i} ${TEXT}` }]]));
        if (i % 200 === 199) await delay(5);
      }
      await waitFor(
        () => healthy.shapes.get(`s${9_999 % SHAPES}`)?.text.startsWith('9999 ') ?? false,
        15_000,
        'burst',
      );
      const markerSentAt = performance.now();
      addShapes(e.doc, [rect('marker')]);
      await waitFor(() => healthy.shapes.has('marker'), 1_000, 'marker within a second');
      assert.ok(performance.now() - markerSentAt < 1_000);

      const text = await viewers.metricsText();
      const encoded = metric(text, 'boardcast_viewer_encoded_bytes_total');
      const snapshotBytes = SHAPES * (TEXT.length + 300);
      const bound = SLOW_VIEWER_BYTES + 2 * snapshotBytes;
      assert.ok(encoded > 10 * bound, `the burst (${encoded} bytes) is far bigger than the bound`);
      assert.ok(
        maxBuffered > 0 && maxBuffered <= bound,
        `buffered at most ${maxBuffered} bytes (bound ${bound})`,
      );
      assert.ok(metric(text, 'boardcast_viewer_skips_total') >= 1, 'the stuck viewer skipped');
      await waitFor(
        async () =>
          metric(
            await viewers.metricsText(),
            'boardcast_viewer_disconnects_total',
            'reason="stalled"',
          ) === 1,
        4_000,
        'cut',
      );
      assert.equal(
        metric(await viewers.metricsText(), 'boardcast_viewer_buffered_bytes', 'stat="total"'),
        0,
      );
      assert.equal(healthy.baseMismatches, 0);
    } finally {
      clearInterval(sampler);
      stuck.destroy();
      healthy.close();
    }
  });

  it('gives a viewer that catches up one fresh snapshot, then patches again', async () => {
    const e = await editor('drains');
    addShapes(
      e.doc,
      Array.from({ length: SHAPES }, (_, i) => rect(`s${i}`)),
    );
    await delay(100);
    const stuck = await openStuckViewer(viewers.port, '/api/boards/drains/events');
    try {
      const skipsBefore = metric(await viewers.metricsText(), 'boardcast_viewer_skips_total');
      // Edit until the stuck viewer is skipping (its socket and the kernel's buffers are full).
      const skips = async () => metric(await viewers.metricsText(), 'boardcast_viewer_skips_total');
      for (let i = 0; i % 200 !== 0 || (await skips()) === skipsBefore; i++) {
        assert.ok(i < 50_000, 'the viewer never started skipping');
        updateShapes(e.doc, new Map([[`s${i % SHAPES}`, { text: `${i} ${TEXT}` }]]));
        if (i % 200 === 199) await delay(5);
      }
      let received = '';
      stuck.setEncoding('utf8');
      stuck.on('data', (chunk: string) => (received += chunk));
      stuck.resume();
      await delay(300);
      addShapes(e.doc, [rect('after-drain')]);
      await waitFor(() => received.includes('"after-drain"'), 3_000, 'patches after the drain');
      const events = [...received.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
      assert.equal(events[0], 'snapshot');
      assert.equal(events.at(-1), 'patch');
      assert.ok(events.lastIndexOf('snapshot') > 0, 'a fresh snapshot after the skip');
    } finally {
      stuck.destroy();
    }
  });

  it('streams with the SSE headers, a retry hint and keepalive comments', async () => {
    await editor('keepalive');
    const { status, headers, text } = await readRaw(
      `${viewers.url}/api/boards/keepalive/events`,
      /: keepalive\n\n/,
    );
    assert.equal(status, 200);
    assert.match(headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(headers['cache-control'], 'no-cache');
    assert.equal(headers['x-accel-buffering'], 'no');
    assert.equal(headers['access-control-allow-origin'], '*');
    assert.match(text, /^retry: \d+\n\n/);
    assert.match(text, /event: snapshot\nid: [^\n]+\ndata: \{[^\n]+\}\n\n/);
    assert.match(text, /: keepalive\n\n/);
  });

  it('resumes from the ring while it holds the version, and with a snapshot once it is too old', async () => {
    const e = await editor('short-ring');
    addShapes(e.doc, [rect('moving')]);
    await delay(80);
    const poll = (since: string) =>
      fetch(`${viewers.url}/api/boards/short-ring/poll?since=${since}&timeout=0`);
    const versions: string[] = [];
    for (let x = 1; x <= RING_PATCHES + 2; x++) {
      versions.push(
        ((await (await fetch(`${viewers.url}/api/boards/short-ring`)).json()) as Snapshot).version,
      );
      updateShapes(e.doc, new Map([['moving', { x }]]));
      await delay(80);
    }
    const recent = (await (await poll(versions.at(-RING_PATCHES) as string)).json()) as Patch;
    assert.equal(recent.base, versions.at(-RING_PATCHES));
    assert.deepEqual(
      recent.upsert.map((s) => s.x),
      [RING_PATCHES + 2],
    );
    const old = (await (await poll(versions[0] as string)).json()) as Snapshot;
    assert.ok(Array.isArray(old.shapes) && !('base' in old), 'too old for the ring: a snapshot');
    assert.equal(old.shapes[0]?.x, RING_PATCHES + 2);
  });

  it('caps the polls waiting on one board', async () => {
    await editor('busy-polls');
    const { version } = (await (
      await fetch(`${viewers.url}/api/boards/busy-polls`)
    ).json()) as Snapshot;
    const url = `${viewers.url}/api/boards/busy-polls/poll?since=${version}&timeout=1000`;
    const waiting = [fetch(url), fetch(url)];
    await delay(150);
    const third = await fetch(url);
    assert.equal(third.status, 503);
    assert.ok(third.headers.get('retry-after'));
    assert.deepEqual(
      (await Promise.all(waiting)).map((answer) => answer.status),
      [204, 204],
    );
  });
});
