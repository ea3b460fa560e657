/**
 * Shapes over HTTP (contract: "Shapes over HTTP"): GET, POST, PATCH and DELETE of shapes as JSON,
 * checked against the schema (422 with the field and the reason), stored, then relayed to a stock
 * y-websocket client and an SSE viewer like any edit; view ids are read-only; body cap, bad JSON,
 * the per-address rate and JWT mode apply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readShape, readShapes } from '../../common/board/board-doc.ts';
import { newRandomId } from '../../common/board/ids.ts';
import type { Shape } from '../../common/board/shape.ts';
import { mint, TEST_SECRET } from '../helpers/auth.ts';
import { getLinks } from '../helpers/board-api.ts';
import { connectStockClient, waitFor, type StockClient } from '../helpers/clients.ts';
import { startTestServer, storedLogOf, type TestServer } from '../helpers/test-server.ts';
import { SseViewer } from '../helpers/viewer-clients.ts';

let server: TestServer;
const closers: Array<() => void> = [];

before(async () => {
  server = await startTestServer({ env: { SHAPES_API_MAX_BYTES: '4096' } });
});
after(async () => {
  for (const close of closers) close();
  await server.close();
});

function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const diagram = [
  { id: 'box-a', type: 'rect', x: 0, y: 0, width: 160, height: 80, text: 'Client' },
  { type: 'rect', x: 400, y: 0, width: 160, height: 80, text: 'Server', fill: '#ffec99' },
  {
    id: 'link',
    type: 'arrow',
    x: 160,
    y: 40,
    points: [0, 0, 240, 0],
    startId: 'box-a',
    endId: 'box-b',
  },
];

function client(id: string): StockClient {
  const stock = connectStockClient(server.wsUrl, id);
  closers.push(() => stock.destroy());
  return stock;
}

function viewer(id: string): SseViewer {
  const sse = new SseViewer(`${server.url}/api/boards/${id}/events`);
  closers.push(() => sse.close());
  return sse;
}

describe('shapes API', () => {
  it('refuses an invalid shape with 422, the field and the reason, and writes nothing', async () => {
    const id = newRandomId();
    const cases: Array<[unknown, string, RegExp]> = [
      [
        { shapes: [{ type: 'rect', x: 'left', y: 0, width: 10, height: 10 }] },
        'shapes[0].x',
        /finite number/,
      ],
      [{ shapes: [diagram[0], { type: 'hexagon', x: 0, y: 0 }] }, 'shapes[1].type', /one of rect/],
      [{ shapes: [{ type: 'rect', x: 0, y: 0, width: 10 }] }, 'shapes[0].height', /required/],
      [{ shapes: [{ type: 'arrow', x: 0, y: 0 }] }, 'shapes[0].points', /at least one point/],
      [
        { shapes: [{ type: 'text', x: 0, y: 0, width: 1, height: 1, fontSize: 5000 }] },
        'shapes[0].fontSize',
        /from 1 to 1000/,
      ],
      [
        { shapes: [{ type: 'rect', x: 0, y: 0, width: 1, height: 1, widht: 4 }] },
        'shapes[0].widht',
        /not a shape field/,
      ],
      [{ shape: [] }, 'shapes', /array of shapes/],
    ];
    for (const [body, field, reason] of cases) {
      const response = await call(server.url, 'POST', `/api/boards/${id}/shapes`, body);
      assert.equal(response.status, 422, field);
      const answer = (await response.json()) as { error: string; field: string; reason: string };
      assert.equal(answer.field, field);
      assert.match(answer.reason, reason);
      assert.match(answer.error, /invalid shape/);
    }
    const listed = await call(server.url, 'GET', `/api/boards/${id}/shapes`);
    assert.deepEqual(await listed.json(), { shapes: [] });
    assert.equal((await storedLogOf(server.server.context.store, id)).updates.length, 0);
  });

  it('POST, PATCH and DELETE reach a stock client and an SSE viewer; GET lists the shapes', async () => {
    const id = newRandomId();
    const created = await call(server.url, 'POST', `/api/boards/${id}/shapes`, {
      shapes: [{ id: 'seed', type: 'ellipse', x: 0, y: 300, width: 20, height: 20 }],
    });
    assert.equal(created.status, 200);
    const stock = client(id);
    const sse = viewer(id);
    await stock.synced;
    await waitFor(() => sse.shapes.has('seed'), 10_000, 'the viewer snapshot');

    const withB = diagram.map((shape, i) => (i === 1 ? { ...shape, id: 'box-b' } : shape));
    const noId = { type: 'sticky', x: 0, y: 200, width: 100, height: 100, text: 'no id' };
    const posted = await call(server.url, 'POST', `/api/boards/${id}/shapes`, {
      shapes: [...withB, noId],
    });
    assert.equal(posted.status, 200);
    const answer = (await posted.json()) as { ids: string[]; shapes: Shape[] };
    assert.equal(answer.ids.length, 4);
    assert.deepEqual(answer.ids.slice(0, 3), ['box-a', 'box-b', 'link']);
    const generated = answer.ids[3] as string;
    assert.match(generated, /^[A-Za-z0-9_-]+$/);
    assert.equal(answer.shapes[2]?.startId, 'box-a');
    assert.equal(answer.shapes[3]?.text, 'no id');
    // Stored before the answer: the log already holds it.
    const stored = await storedLogOf(server.server.context.store, id);
    assert.ok(stored.updates.length >= 2);

    await waitFor(() => readShapes(stock.doc).length === 5, 10_000, 'the client to get the POST');
    await waitFor(() => sse.shapes.size === 5, 10_000, 'the viewer to get the POST');
    assert.equal(readShape(stock.doc, 'link')?.endId, 'box-b');
    assert.equal(sse.shapes.get('box-b')?.fill, '#ffec99');

    const patched = await call(server.url, 'PATCH', `/api/boards/${id}/shapes/box-b`, {
      x: 500,
      text: 'API',
      fill: null,
    });
    assert.equal(patched.status, 200);
    const shape = ((await patched.json()) as { shape: Shape }).shape;
    assert.equal(shape.x, 500);
    assert.equal(shape.fill, 'transparent');
    await waitFor(
      () => readShape(stock.doc, 'box-b')?.x === 500,
      10_000,
      'the client to get the PATCH',
    );
    await waitFor(
      () => sse.shapes.get('box-b')?.text === 'API',
      10_000,
      'the viewer to get the PATCH',
    );

    const badPatch = await call(server.url, 'PATCH', `/api/boards/${id}/shapes/box-b`, {
      width: -5,
    });
    assert.equal(badPatch.status, 422);
    assert.equal(((await badPatch.json()) as { field: string }).field, 'width');
    const missingField = await call(server.url, 'PATCH', `/api/boards/${id}/shapes/box-b`, {
      x: null,
    });
    assert.equal(missingField.status, 422);

    const deleted = await call(server.url, 'DELETE', `/api/boards/${id}/shapes/${generated}`);
    assert.equal(deleted.status, 204);
    await waitFor(() => !readShape(stock.doc, generated), 10_000, 'the client to get the DELETE');
    await waitFor(() => !sse.shapes.has(generated), 10_000, 'the viewer to get the DELETE');
    const again = await call(server.url, 'DELETE', `/api/boards/${id}/shapes/${generated}`);
    assert.equal(again.status, 404);
    const absent = await call(server.url, 'PATCH', `/api/boards/${id}/shapes/nothing`, { x: 1 });
    assert.equal(absent.status, 404);

    const listed = (await (await call(server.url, 'GET', `/api/boards/${id}/shapes`)).json()) as {
      shapes: Shape[];
    };
    assert.deepEqual(listed.shapes.map((s) => s.id).sort(), ['box-a', 'box-b', 'link', 'seed']);
    // A client's own edit of another field survives a replace of nothing else.
    assert.equal(readShapes(stock.doc).length, 4);
  });

  it('a view id reads shapes but every write is 403', async () => {
    const id = newRandomId();
    await call(server.url, 'POST', `/api/boards/${id}/shapes`, { shapes: [diagram[0]] });
    const { viewId } = await getLinks(server.url, id);
    const read = await call(server.url, 'GET', `/api/boards/${viewId}/shapes`);
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('access-control-allow-origin'), '*');
    assert.equal(((await read.json()) as { shapes: Shape[] }).shapes[0]?.id, 'box-a');
    const writes = [
      await call(server.url, 'POST', `/api/boards/${viewId}/shapes`, { shapes: [diagram[0]] }),
      await call(server.url, 'PATCH', `/api/boards/${viewId}/shapes/box-a`, { x: 3 }),
      await call(server.url, 'DELETE', `/api/boards/${viewId}/shapes/box-a`),
    ];
    assert.deepEqual(
      writes.map((response) => response.status),
      [403, 403, 403],
    );
    const after = (await (await call(server.url, 'GET', `/api/boards/${id}/shapes`)).json()) as {
      shapes: Shape[];
    };
    assert.equal(after.shapes[0]?.x, 0);
    assert.equal(
      (await call(server.url, 'GET', `/api/boards/${newRandomId()}/shapes`)).status,
      404,
    );
  });

  it('answers 400 to a body that is not JSON and 413 to one over SHAPES_API_MAX_BYTES', async () => {
    const id = newRandomId();
    const bad = await call(server.url, 'POST', `/api/boards/${id}/shapes`, '{"shapes": [');
    assert.equal(bad.status, 400);
    const big = { shapes: [{ ...diagram[0], text: 'x'.repeat(5_000) }] };
    const tooBig = await call(server.url, 'POST', `/api/boards/${id}/shapes`, big);
    assert.equal(tooBig.status, 413);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /boardcast_refusals_total\{reason="invalid_shape"\} [1-9]/);
    assert.match(metrics, /boardcast_refusals_total\{reason="bad_json"\} [1-9]/);
  });
});

describe('shapes API limits', () => {
  it('refuses requests past the per-address rate with 429 and Retry-After', async () => {
    const limited = await startTestServer({
      env: { SHAPES_API_RATE_PER_S: '1', SHAPES_API_BURST: '3' },
    });
    try {
      const id = newRandomId();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await call(limited.url, 'POST', `/api/boards/${id}/shapes`, {
          shapes: [{ ...diagram[0], id: `s${i}` }],
        });
        statuses.push(response.status);
        if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) >= 1);
      }
      assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
      assert.ok(statuses.slice(3).includes(429), `statuses ${statuses.join(',')}`);
    } finally {
      await limited.close();
    }
  });

  it('JWT mode: a write needs an edit token for the board; a view token reads', async () => {
    const secured = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET } });
    try {
      const id = newRandomId();
      const path = `/api/boards/${id}/shapes`;
      const body = { shapes: [diagram[0]] };
      assert.equal((await call(secured.url, 'POST', path, body)).status, 401);
      const view = await mint(id, 'view');
      const asViewer = { authorization: `Bearer ${view}` };
      assert.equal((await call(secured.url, 'POST', path, body, asViewer)).status, 403);
      const edit = { authorization: `Bearer ${await mint(id, 'edit')}` };
      assert.equal((await call(secured.url, 'POST', path, body, edit)).status, 200);
      const patch = await call(secured.url, 'PATCH', `${path}/box-a`, { x: 9 }, edit);
      assert.equal(patch.status, 200);
      assert.equal((await call(secured.url, 'GET', path)).status, 401);
      const read = await call(secured.url, 'GET', `${path}?token=${edit.authorization.slice(7)}`);
      assert.equal(((await read.json()) as { shapes: Shape[] }).shapes[0]?.x, 9);
    } finally {
      await secured.close();
    }
  });
});
