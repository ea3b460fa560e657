/**
 * Presence over the stock y-websocket client (contract: "WebSocket", awareness state): editors
 * and read-only viewers see each other's presence, and a client that leaves, cleanly or not,
 * disappears for everyone at once rather than after the 30 s awareness timeout.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { newRandomId } from '../../common/board/ids.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Far below y-protocols' 30 s outdated timeout: removal must come from the server. */
const PROMPT_REMOVAL_MS = 1_000;
const SYNC_WAIT_MS = 5_000;

let server: TestServer;
const clients: StockClient[] = [];

before(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});
after(async () => {
  await server.close();
});

async function connect(boardId: string): Promise<StockClient> {
  const client = connectStockClient(server.wsUrl, boardId);
  clients.push(client);
  await waitFor(() => client.provider.synced, SYNC_WAIT_MS, 'the client to sync');
  return client;
}

function presenceOf(name: string, x = 0, y = 0) {
  return { user: { name, color: '#3366ff' }, cursor: { x, y }, selection: [] as string[] };
}

/** What `viewer` currently sees of `subject`'s presence. */
function seenBy(viewer: StockClient, subject: StockClient): unknown {
  return viewer.provider.awareness.getStates().get(subject.doc.clientID);
}

async function waitToSee(
  viewer: StockClient,
  subject: StockClient,
  expected: unknown,
  what: string,
): Promise<void> {
  await waitFor(
    () => JSON.stringify(seenBy(viewer, subject)) === JSON.stringify(expected),
    2_000,
    what,
  );
  assert.deepEqual(seenBy(viewer, subject), expected);
}

/** Cuts `client`'s socket without a close handshake or a goodbye, as a network failure would. */
function dropConnection(client: StockClient): void {
  const socket = client.provider.ws as unknown as { terminate(): void } | null; // a `ws` WebSocket
  assert.ok(socket, 'the client has a socket');
  socket.terminate();
}

/** Resolves with how long it took until neither observer sees `leaver` any more. */
async function removalDelayMs(
  leaver: StockClient,
  observers: StockClient[],
  leave: () => void,
): Promise<number> {
  const start = performance.now();
  leave();
  await waitFor(
    () =>
      observers.every(
        (observer) => !observer.provider.awareness.getStates().has(leaver.doc.clientID),
      ),
    PROMPT_REMOVAL_MS * 5,
    "the leaver's presence to be removed",
  );
  return performance.now() - start;
}

describe('presence', () => {
  it('shows each of two editors the other’s name, colour, cursor and selection', async () => {
    const boardId = newRandomId();
    const alice = await connect(boardId);
    const bob = await connect(boardId);
    alice.provider.awareness.setLocalState(presenceOf('alice', 10, 20));
    bob.provider.awareness.setLocalState({ ...presenceOf('bob', 30, 40), selection: ['shape-1'] });
    await waitToSee(bob, alice, presenceOf('alice', 10, 20), "alice's presence at bob");
    await waitToSee(
      alice,
      bob,
      { ...presenceOf('bob', 30, 40), selection: ['shape-1'] },
      "bob's presence at alice",
    );

    alice.provider.awareness.setLocalStateField('cursor', { x: 11, y: 21 });
    await waitToSee(bob, alice, presenceOf('alice', 11, 21), "alice's moved cursor at bob");
  });

  it('gives a client that joins later everyone’s current presence', async () => {
    const boardId = newRandomId();
    const alice = await connect(boardId);
    alice.provider.awareness.setLocalState(presenceOf('alice', 5, 6));
    const bob = await connect(boardId);
    await waitToSee(bob, alice, presenceOf('alice', 5, 6), "alice's presence at the late joiner");
  });

  it('removes a client that disconnects from everyone’s presence promptly', async () => {
    const boardId = newRandomId();
    const [alice, bob, carol] = [
      await connect(boardId),
      await connect(boardId),
      await connect(boardId),
    ];
    alice.provider.awareness.setLocalState(presenceOf('alice'));
    await waitToSee(bob, alice, presenceOf('alice'), "alice's presence at bob");
    await waitToSee(carol, alice, presenceOf('alice'), "alice's presence at carol");
    const delayMs = await removalDelayMs(alice, [bob, carol], () => alice.destroy());
    assert.ok(delayMs < PROMPT_REMOVAL_MS, `presence removed after ${delayMs.toFixed(0)} ms`);
  });

  it('removes a client whose connection drops without a goodbye from everyone’s presence promptly', async () => {
    const boardId = newRandomId();
    const [alice, bob, carol] = [
      await connect(boardId),
      await connect(boardId),
      await connect(boardId),
    ];
    alice.provider.awareness.setLocalState(presenceOf('alice'));
    await waitToSee(bob, alice, presenceOf('alice'), "alice's presence at bob");
    await waitToSee(carol, alice, presenceOf('alice'), "alice's presence at carol");
    // No null awareness is sent: only the server can tell the others that alice left.
    alice.provider.shouldConnect = false;
    const delayMs = await removalDelayMs(alice, [bob, carol], () => dropConnection(alice));
    assert.ok(delayMs < PROMPT_REMOVAL_MS, `presence removed after ${delayMs.toFixed(0)} ms`);
  });

  it('shows a client whose connection dropped to the others again once it reconnects', async () => {
    const boardId = newRandomId();
    const [alice, bob] = [await connect(boardId), await connect(boardId)];
    alice.provider.awareness.setLocalState(presenceOf('alice', 1, 1));
    await waitToSee(bob, alice, presenceOf('alice', 1, 1), "alice's presence at bob");
    dropConnection(alice); // the stock client reconnects on its own
    await waitFor(
      () => !bob.provider.awareness.getStates().has(alice.doc.clientID),
      PROMPT_REMOVAL_MS,
      'alice to be removed',
    );
    await waitFor(() => alice.provider.synced, SYNC_WAIT_MS, 'alice to reconnect');
    // The removal used up alice's next awareness clock (as y-websocket's own server does), so
    // peers ignore her first state or two after the reconnect; her later moves must show.
    for (let x = 2; x <= 4; x++) alice.provider.awareness.setLocalStateField('cursor', { x, y: x });
    await waitToSee(
      bob,
      alice,
      presenceOf('alice', 4, 4),
      "alice's presence at bob after her reconnect",
    );
  });

  it('keeps a client connected while many others drop off the board', async () => {
    const boardId = newRandomId();
    const observer = await connect(boardId);
    const closeCodes: number[] = [];
    observer.provider.on('connection-close', (event: { code: number } | null) =>
      closeCodes.push(event?.code ?? 0),
    );
    for (let i = 0; i < 6; i++) {
      const visitor = await connect(boardId);
      visitor.provider.awareness.setLocalState(presenceOf(`visitor ${i}`));
      await waitToSee(
        observer,
        visitor,
        presenceOf(`visitor ${i}`),
        `visitor ${i} at the observer`,
      );
      visitor.provider.shouldConnect = false;
      dropConnection(visitor);
      await waitFor(
        () => !observer.provider.awareness.getStates().has(visitor.doc.clientID),
        PROMPT_REMOVAL_MS,
        `visitor ${i} to leave`,
      );
    }
    await delay(100); // the observer's echo of the last removal reaches the server
    assert.deepEqual(closeCodes, [], 'the observer was disconnected');
    assert.ok(observer.provider.wsconnected);
  });

  it('lets a read-only client set presence that editors see, and removes it when it leaves', async () => {
    const editId = newRandomId();
    const response = await fetch(`${server.url}/api/boards/${editId}/links`);
    assert.equal(response.status, 200);
    const { viewId } = (await response.json()) as { viewId: string };
    assert.notEqual(viewId, editId);
    const editor = await connect(editId);
    const viewer = await connect(viewId);
    editor.provider.awareness.setLocalState(presenceOf('editor', 1, 1));
    viewer.provider.awareness.setLocalState(presenceOf('viewer', 7, 8));
    await waitToSee(
      editor,
      viewer,
      presenceOf('viewer', 7, 8),
      "the viewer's presence at the editor",
    );
    await waitToSee(
      viewer,
      editor,
      presenceOf('editor', 1, 1),
      "the editor's presence at the viewer",
    );
    const delayMs = await removalDelayMs(viewer, [editor], () => viewer.destroy());
    assert.ok(delayMs < PROMPT_REMOVAL_MS, `presence removed after ${delayMs.toFixed(0)} ms`);
  });

  it('never closes a client over its presence: a 10,000-id selection is trimmed, with its count', async () => {
    const boardId = newRandomId();
    const alice = await connect(boardId);
    const bob = await connect(boardId);
    const closes: number[] = [];
    alice.provider.on('connection-close', (event) => event && closes.push(event.code));
    const selection = Array.from({ length: 10_000 }, (_, i) => `shape-${i}`);
    alice.provider.awareness.setLocalState({ ...presenceOf('alice'), selection });
    await waitFor(
      () =>
        (seenBy(bob, alice) as { selectionCount?: number } | undefined)?.selectionCount === 10_000,
      2_000,
      "alice's trimmed selection at bob",
    );
    const seen = seenBy(bob, alice) as { selection: string[]; user: { name: string } };
    assert.ok(seen.selection.length > 0 && seen.selection.length < 10_000);
    assert.deepEqual(seen.selection, selection.slice(0, seen.selection.length));
    assert.equal(seen.user.name, 'alice');
    // Later changes still go through, on the same connection.
    alice.provider.awareness.setLocalState(presenceOf('alice', 5, 5));
    await waitToSee(bob, alice, presenceOf('alice', 5, 5), "alice's next presence");
    assert.deepEqual(closes, []);
    assert.equal(alice.provider.wsconnected, true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /boardcast_presence_trimmed_total\{action="trimmed"\} [1-9]/);
  });

  it('never closes a client that sends more presence ids than it may own: the extra ones are left out', async () => {
    const boardId = newRandomId();
    const alice = await connect(boardId);
    const bob = await connect(boardId);
    const closes: number[] = [];
    alice.provider.on('connection-close', (event) => event && closes.push(event.code));
    // Five documents' presence through one connection (a client that made new docs in a tab).
    const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness');
    const encoding = await import('lib0/encoding');
    const { Doc } = await import('yjs');
    for (let i = 0; i < 6; i++) {
      const extra = new Awareness(new Doc());
      extra.setLocalState(presenceOf(`extra-${i}`));
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(extra, [extra.clientID]));
      (alice.provider.ws as unknown as { send(data: Uint8Array): void }).send(
        encoding.toUint8Array(encoder),
      );
      extra.destroy();
    }
    alice.provider.awareness.setLocalState(presenceOf('alice', 1, 1));
    await delay(300);
    assert.deepEqual(closes, []);
    assert.equal(alice.provider.wsconnected, true);
    const names = [...bob.provider.awareness.getStates().values()].map((state) => state.user?.name);
    assert.equal(names.filter((name) => String(name).startsWith('extra-')).length, 3);
  });
});
