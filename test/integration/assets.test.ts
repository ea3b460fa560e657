/**
 * Board assets over HTTP (contract: "Board assets"), against a real server on port 0: upload by
 * the edit id, read by either id with immutable caching, refusals (415 by content, 413, 403 for a
 * view id, 429 past the per-address rate), and the asset's life with its board: a restart, a link
 * reset, an export and import, and the board's deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deleteBoard, getLinks, rotated } from '../helpers/board-api.ts';
import { mint } from '../helpers/auth.ts';
import { GIF_1PX, JPEG_1PX, WEBP_1PX, pngImage, sha256Hex } from '../helpers/images.ts';
import { boardNamed, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { TEST_SECRET } from '../helpers/auth.ts';

const MAX_ASSET_BYTES = 4_096;

function upload(
  server: TestServer,
  id: string,
  bytes: Uint8Array,
  headers: Record<string, string> = { 'content-type': 'image/png' },
): Promise<Response> {
  return fetch(`${server.url}/api/boards/${id}/assets`, {
    method: 'POST',
    headers,
    body: Buffer.from(bytes),
  });
}

async function uploaded(server: TestServer, id: string, bytes: Uint8Array): Promise<string> {
  const response = await upload(server, id, bytes);
  assert.equal(response.status, 200, await response.clone().text());
  const { assetId } = (await response.json()) as { assetId: string };
  return assetId;
}

function assetUrl(server: TestServer, id: string, assetId: string): string {
  return `${server.url}/api/boards/${id}/assets/${assetId}`;
}

async function metricsOf(server: TestServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: { MAX_ASSET_BYTES: String(MAX_ASSET_BYTES), RATE_ASSET_UPLOADS_PER_MIN: '1000' },
  });
});
after(() => server.close());

describe('board assets', () => {
  it('stores PNG, JPEG, GIF and WebP by their SHA-256 and serves them immutable by either id', async () => {
    const links = await getLinks(server.url, 'asset-kinds');
    const images: Array<[string, Uint8Array]> = [
      ['image/png', pngImage(3, 2, [224, 49, 49])],
      ['image/jpeg', JPEG_1PX],
      ['image/gif', GIF_1PX],
      ['image/webp', WEBP_1PX],
    ];
    for (const [type, bytes] of images) {
      // The declared type is ignored: the bytes decide.
      const response = await upload(server, links.editId, bytes, {
        'content-type': 'application/octet-stream',
      });
      assert.equal(response.status, 200, type);
      const { assetId } = (await response.json()) as { assetId: string };
      assert.equal(assetId, sha256Hex(bytes), type);
      for (const id of [links.editId, links.viewId]) {
        const served = await fetch(assetUrl(server, id, assetId), {
          headers: { origin: 'https://elsewhere.example' },
        });
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('content-type'), type);
        assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(served.headers.get('access-control-allow-origin'), '*');
        assert.deepEqual(new Uint8Array(await served.arrayBuffer()), new Uint8Array(bytes));
      }
    }
    const again = await upload(server, links.editId, JPEG_1PX);
    assert.equal(((await again.json()) as { assetId: string }).assetId, sha256Hex(JPEG_1PX));
    const metrics = await metricsOf(server);
    assert.ok(metricValue(metrics, 'boardcast_asset_uploads_total{result="stored"}') >= 4);
    assert.ok(metricValue(metrics, 'boardcast_asset_uploads_total{result="duplicate"}') >= 1);
    assert.ok(metricValue(metrics, 'boardcast_asset_bytes_total') >= JPEG_1PX.byteLength);
  });

  it('answers 304 to a cached copy, 404 to an asset of another board or a malformed id', async () => {
    const assetId = await uploaded(server, 'asset-cached', GIF_1PX);
    const url = assetUrl(server, 'asset-cached', assetId);
    const cached = await fetch(url, { headers: { 'if-none-match': `"${assetId}"` } });
    assert.equal(cached.status, 304);
    await boardNamed(server, 'asset-stranger');
    assert.equal((await fetch(assetUrl(server, 'asset-stranger', assetId))).status, 404);
    assert.equal((await fetch(assetUrl(server, 'asset-cached', 'ABC'))).status, 404);
    assert.equal((await fetch(assetUrl(server, 'asset-never-made', assetId))).status, 404);
  });

  it('refuses with 415 what is not an image, whatever its content type says', async () => {
    const before = metricValue(
      await metricsOf(server),
      'boardcast_asset_refusals_total{reason="type"}',
    );
    const cases: Array<[string, string]> = [
      ['<html><script>alert(1)</script></html>', 'image/png'],
      ['just some text', 'image/jpeg'],
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
      ['', 'image/gif'],
    ];
    for (const [body, type] of cases) {
      const response = await upload(server, 'asset-refused', Buffer.from(body), {
        'content-type': type,
      });
      assert.equal(response.status, 415, body);
      const { error } = (await response.json()) as { error: string };
      assert.match(error, /PNG, JPEG, GIF or WebP/);
    }
    const metrics = await metricsOf(server);
    assert.equal(
      metricValue(metrics, 'boardcast_asset_refusals_total{reason="type"}') - before,
      cases.length,
    );
  });

  it('refuses with 413 an image over MAX_ASSET_BYTES, and 403 an upload by the view id', async () => {
    const links = await getLinks(server.url, 'asset-limits');
    const big = pngImage(40, 40, [1, 2, 3]);
    const huge = Buffer.concat([big, Buffer.alloc(MAX_ASSET_BYTES)]);
    const tooBig = await upload(server, links.editId, huge);
    assert.equal(tooBig.status, 413);
    assert.match(((await tooBig.json()) as { error: string }).error, /MAX_ASSET_BYTES/);
    const readOnly = await upload(server, links.viewId, big);
    assert.equal(readOnly.status, 403);
    assert.match(((await readOnly.json()) as { error: string }).error, /edit id/);
    assert.equal((await fetch(assetUrl(server, links.viewId, sha256Hex(big)))).status, 404);
    const metrics = await metricsOf(server);
    assert.ok(metricValue(metrics, 'boardcast_asset_refusals_total{reason="size"}') >= 1);
    assert.ok(metricValue(metrics, 'boardcast_asset_refusals_total{reason="read_only"}') >= 1);
    assert.ok(
      metricValue(metrics, 'boardcast_limit{setting="MAX_ASSET_BYTES"}') === MAX_ASSET_BYTES,
    );
  });

  it('keeps assets across a restart and a link reset, and deletes them with the board', async () => {
    const png = pngImage(5, 5, [10, 200, 30]);
    const assetId = await uploaded(server, 'asset-life', png);
    await server.restart();
    // fetch may first pick a pooled socket of the server before the restart: one retry for that.
    const reread = await fetch(assetUrl(server, 'asset-life', assetId)).catch(() =>
      fetch(assetUrl(server, 'asset-life', assetId)),
    );
    assert.equal(reread.status, 200);
    const links = await rotated(server.url, 'asset-life', 'view');
    assert.equal((await fetch(assetUrl(server, links.viewId, assetId))).status, 200);

    const key = (await server.server.context.store.findBoard('asset-life'))?.board.key;
    assert.ok(key);
    assert.equal((await deleteBoard(server.url, 'asset-life')).status, 204);
    assert.deepEqual(await server.server.context.store.listAssets(key), []);
    assert.equal((await fetch(assetUrl(server, links.viewId, assetId))).status, 404);
    await boardNamed(server, 'asset-life'); // the name again: a new board, without the image
    assert.equal((await fetch(assetUrl(server, 'asset-life', assetId))).status, 404);
  });

  it('carries assets in a board file, and refuses a file whose asset is not what it says', async () => {
    const png = pngImage(4, 4, [0, 0, 255]);
    const assetId = await uploaded(server, 'asset-exported', png);
    const file = (await (await fetch(`${server.url}/api/boards/asset-exported/export`)).json()) as {
      assets: Array<{ assetId: string; type: string; data: string }>;
    };
    assert.deepEqual(file.assets, [
      { assetId, type: 'image/png', data: Buffer.from(png).toString('base64') },
    ]);
    const imported = await fetch(`${server.url}/api/boards/import`, {
      method: 'POST',
      body: JSON.stringify(file),
    });
    assert.equal(imported.status, 201);
    const copy = (await imported.json()) as { viewId: string };
    const served = await fetch(assetUrl(server, copy.viewId, assetId));
    assert.equal(served.status, 200);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), new Uint8Array(png));

    const forged = [
      { ...file.assets[0], assetId: sha256Hex(GIF_1PX) },
      { ...file.assets[0], data: Buffer.from('<html>').toString('base64') },
      { ...file.assets[0], data: 'not base64!' },
    ];
    for (const asset of forged) {
      const response = await fetch(`${server.url}/api/boards/import`, {
        method: 'POST',
        body: JSON.stringify({ ...file, assets: [asset] }),
      });
      assert.equal(response.status, 422, JSON.stringify(asset).slice(0, 120));
    }
  });
});

describe('board assets: limits and JWT mode', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((entry) => entry.close())));

  it('answers 429 with Retry-After past RATE_ASSET_UPLOADS_PER_MIN from one address', async () => {
    const limited = await startTestServer({ env: { RATE_ASSET_UPLOADS_PER_MIN: '2' } });
    servers.push(limited);
    await uploaded(limited, 'asset-rate', GIF_1PX);
    await uploaded(limited, 'asset-rate', JPEG_1PX);
    const third = await upload(limited, 'asset-rate', WEBP_1PX);
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    const metrics = await metricsOf(limited);
    assert.equal(metricValue(metrics, 'boardcast_asset_refusals_total{reason="rate"}'), 1);
  });

  it('needs an edit token to upload and any token of the board to read', async () => {
    const secured = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET } });
    servers.push(secured);
    const board = await boardNamed(secured, 'asset-secured');
    const edit = await mint(board.editId, 'edit');
    const view = await mint(board.viewId, 'view');
    assert.equal((await upload(secured, board.editId, GIF_1PX)).status, 401);
    const byView = await upload(secured, board.editId, GIF_1PX, {
      authorization: `Bearer ${view}`,
    });
    assert.equal(byView.status, 403);
    const viewIdUpload = await upload(secured, board.viewId, GIF_1PX, {
      authorization: `Bearer ${view}`,
    });
    assert.equal(viewIdUpload.status, 403);
    const ok = await upload(secured, board.editId, GIF_1PX, { authorization: `Bearer ${edit}` });
    assert.equal(ok.status, 200);
    const url = assetUrl(secured, board.viewId, sha256Hex(GIF_1PX));
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(`${url}?token=${view}`)).status, 200);
  });
});
