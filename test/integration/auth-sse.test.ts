import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import { FEED_EVENTS } from '../../common/board/snapshot.ts';
import { mint, TEST_SECRET } from '../helpers/auth.ts';
import { waitFor } from '../helpers/clients.ts';
import { rect } from '../helpers/shapes.ts';
import { boardNamed, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { SseViewer } from '../helpers/viewer-clients.ts';

/** A stock client that edits with an edit token, as the editor does in JWT mode. */
function editorWithToken(server: TestServer, boardId: string, token: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, // ws is API-compatible; its types differ
    disableBc: true,
    params: { token },
  });
  return { doc, provider };
}

describe('SSE in JWT mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { AUTH_SECRET: TEST_SECRET, AUTH_LEEWAY_S: '0' } });
  });
  after(() => server.close());

  it('ends a stream with `event: expired`, and a resume with a fresh token misses nothing', async () => {
    const board = await boardNamed(server, 'expiring');
    const editor = editorWithToken(server, board.editId, await mint(board.editId, 'edit'));
    try {
      await new Promise<void>((resolve) => editor.provider.once('sync', () => resolve()));
      const events = (token: string) =>
        `${server.url}/api/boards/${board.viewId}/events?token=${token}`;
      const first = new SseViewer(events(await mint(board.viewId, 'view', 2)));
      const expired = new Promise<void>((resolve) =>
        first.source.addEventListener(FEED_EVENTS.EXPIRED, () => resolve()),
      );
      addShapes(editor.doc, [rect('before-expiry')]);
      await waitFor(() => first.shapes.has('before-expiry'), 5_000, 'first stream sees the shape');
      await expired;
      first.close();

      addShapes(editor.doc, [rect('during-gap-1'), rect('during-gap-2')]);
      await waitFor(() => readShapes(editor.doc).length === 3, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100)); // past the feed's tick

      const resumed = new SseViewer(
        events(await mint(board.viewId, 'view')),
        first.version ?? undefined,
      );
      for (const [id, shape] of first.shapes) resumed.shapes.set(id, shape);
      resumed.version = first.version;
      try {
        await waitFor(() => resumed.shapes.size === 3, 5_000, 'the resumed stream catches up');
        assert.equal(resumed.snapshots.length, 0, 'resumed with patches, not a snapshot');
        assert.equal(resumed.baseMismatches, 0);
        assert.deepEqual(resumed.board(), readShapes(editor.doc));
      } finally {
        resumed.close();
      }
    } finally {
      editor.provider.destroy();
      editor.doc.destroy(); // also stops the provider's awareness timer
    }
  });

  it('refuses a stream without a token before sending anything', async () => {
    const board = await boardNamed(server, 'closed-board');
    const response = await fetch(`${server.url}/api/boards/${board.viewId}/events`);
    assert.equal(response.status, 401);
  });
});
