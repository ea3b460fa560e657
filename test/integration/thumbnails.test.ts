/**
 * `GET /api/boards/<id>.png`: a PNG of the requested (clamped) width whose pixels show the
 * board's shapes, by either id, with ETags, a cache per version, CORS and a 400 for a width
 * that is not a number.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addShapes, updateShapes } from '../../common/board/board-doc.ts';
import { metricValue } from '../helpers/auth.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { decodePng } from '../helpers/png.ts';
import { rect } from '../helpers/shapes.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('PNG thumbnails', () => {
  let server: TestServer;
  const editors: StockClient[] = [];

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    editors.forEach((editor) => editor.destroy());
    await server.close();
  });

  const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/boards/${path}`, init);

  /** A board holding a red filled rectangle at 0,0 (200×100), once the snapshot shows it. */
  async function redBoard(board: string): Promise<StockClient> {
    const editor = connectStockClient(server.wsUrl, board);
    editors.push(editor);
    await editor.synced;
    addShapes(editor.doc, [
      rect('red', 0, 0, { width: 200, height: 100, fill: '#ff0000', stroke: '#ff0000' }),
    ]);
    await waitFor(
      async () => ((await (await api(board)).json()) as { shapes: unknown[] }).shapes.length === 1,
      5_000,
      'the shape in the snapshot',
    );
    return editor;
  }

  /** Where board point (x, y) lands in an image `width` wide, from the SVG's viewBox. */
  async function toPixel(board: string, width: number, x: number, y: number) {
    const svg = await (await api(`${board}.svg`)).text();
    const [vx, vy, vw] = (/viewBox="([^"]+)"/.exec(svg)?.[1] ?? '').split(' ').map(Number);
    const scale = width / (vw ?? 1);
    return [Math.round((x - (vx ?? 0)) * scale), Math.round((y - (vy ?? 0)) * scale)] as const;
  }

  it('renders the board at the requested width, and its pixels show the drawn shape', async () => {
    await redBoard('png-red');
    const response = await api('png-red.png?width=300');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const png = decodePng(Buffer.from(await response.arrayBuffer()));
    assert.equal(png.width, 300);
    const [cx, cy] = await toPixel('png-red', 300, 100, 50);
    const [r, g, b, a] = png.pixel(cx, cy);
    assert.ok(
      r > 200 && g < 50 && b < 50 && a === 255,
      `centre of the rectangle is ${[r, g, b, a]}`,
    );
    const [ox, oy] = await toPixel('png-red', 300, 250, 50); // beyond its right edge (the margin)
    const outside = png.pixel(Math.min(ox, png.width - 1), oy);
    assert.ok(outside[0] > 200 && outside[1] > 200 && outside[2] > 200, `outside is ${outside}`);
  });

  it('serves the view id the same image, clamps the width, and refuses a width that is not a number', async () => {
    await redBoard('png-sizes');
    const { viewId } = (await (await api('png-sizes/links')).json()) as { viewId: string };
    const byView = await api(`${viewId}.png?width=120`);
    assert.equal(byView.status, 200);
    assert.equal(decodePng(Buffer.from(await byView.arrayBuffer())).width, 120);
    const fallback = decodePng(Buffer.from(await (await api('png-sizes.png')).arrayBuffer()));
    assert.equal(fallback.width, 800);
    const tiny = decodePng(Buffer.from(await (await api('png-sizes.png?width=1')).arrayBuffer()));
    assert.equal(tiny.width, 16);
    const huge = decodePng(
      Buffer.from(await (await api('png-sizes.png?width=99999')).arrayBuffer()),
    );
    assert.equal(huge.width, 2048);
    for (const bad of ['abc', '-5', '12.5']) {
      const refused = await api(`png-sizes.png?width=${bad}`);
      assert.equal(refused.status, 400, bad);
      assert.match(((await refused.json()) as { error: string }).error, /width/);
    }
    assert.equal((await api('no-such-board-png.png')).status, 404); // as the SVG: no such board
    assert.equal((await api('bad%20id.png')).status, 400);
  });

  it('answers 304 to its ETag, serves a repeat from the cache, and a new version after an edit', async () => {
    const editor = await redBoard('png-versions');
    const first = await api('png-versions.png?width=200');
    const etag = first.headers.get('etag') ?? '';
    const firstBytes = Buffer.from(await first.arrayBuffer());
    assert.equal(
      (await api('png-versions.png?width=200', { headers: { 'if-none-match': etag } })).status,
      304,
    );
    const metricsBefore = await (await fetch(`${server.url}/metrics`)).text();
    const again = Buffer.from(await (await api('png-versions.png?width=200')).arrayBuffer());
    assert.ok(again.equals(firstBytes));
    const metricsAfter = await (await fetch(`${server.url}/metrics`)).text();
    const cached = 'boardcast_thumbnails_total{outcome="cached"}';
    assert.equal(metricValue(metricsAfter, cached), metricValue(metricsBefore, cached) + 1);

    updateShapes(editor.doc, new Map([['red', { fill: '#0000ff', stroke: '#0000ff' }]]));
    await waitFor(
      async () => (await api('png-versions.png?width=200')).headers.get('etag') !== etag,
      5_000,
      'a new version',
    );
    const blue = decodePng(
      Buffer.from(await (await api('png-versions.png?width=200')).arrayBuffer()),
    );
    const [cx, cy] = await toPixel('png-versions', 200, 100, 50);
    const [r, , b] = blue.pixel(cx, cy);
    assert.ok(b > 200 && r < 50, `the edit is not in the new image: ${blue.pixel(cx, cy)}`);
  });
});
