/**
 * Hostile and broken input on the WebSocket endpoint (contract: "WebSocket", close codes).
 * Every case checks three things: the offender is closed with its documented code; two stock
 * clients on the same board keep relaying fresh edits within RELAY_BUDGET_MS before, during and
 * after the attack; and the board holds exactly the valid shapes it held before, for the
 * clients already there and for one that joins afterwards.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import {
  addShapes,
  getShapesMap,
  observeShapes,
  readShape,
  readShapes,
} from '../../common/board/board-doc.ts';
import { newRandomId, newShapeId } from '../../common/board/ids.ts';
import { SHAPE_DEFAULTS, type Shape } from '../../common/board/shape.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';
import { checkUpdate, DEFAULT_UPDATE_LIMITS } from '../../server/room/update-gate.ts';
import type { BoardStore } from '../../server/storage/board-store.ts';
import { connectStockClient, delay, waitFor, type StockClient } from '../helpers/clients.ts';
import {
  connectRawPeer,
  encodeAwarenessFrame,
  encodeBurst,
  encodeSyncFrame,
  type RawPeer,
} from '../helpers/raw-peer.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const MAX_MESSAGE_BYTES = 65_536;
/** A bystander's edit must reach another bystander this fast, attack or not. */
const RELAY_BUDGET_MS = 100;
/**
 * Server and clients share one process and, under `npm test`, the machine with other work: on a
 * loaded machine one sample can be slow through no fault of the server. A scenario whose relay
 * is over budget runs again on a fresh board; a server that really stalls is slow every time.
 */
const RELAY_ATTEMPTS = 3;
const CLOSE_WAIT_MS = 3_000;
const { MALFORMED, OVER_LIMIT, TOO_BIG, BAD_ID, RATE_LIMITED } = CLOSE;

/** Boards whose id starts with this load slowly, so frames arrive before their room exists. */
const SLOW_BOARD_PREFIX = 'slow-';
const LOAD_DELAY_MS = 300;
/** Well under RATE_PRESENCE_BURST, so the pending-frame limit, not the rate limit, decides. */
const MAX_PENDING_FRAMES = 32;

function slowToLoad(store: BoardStore): BoardStore {
  return {
    ...store,
    async loadLog(key) {
      const board = await store.boardByKey(key);
      if (board?.editId.startsWith(SLOW_BOARD_PREFIX)) await delay(LOAD_DELAY_MS);
      return store.loadLog(key);
    },
  };
}

let server: TestServer;
/** Frames this big pass `ws`, so the update gate's own limits decide. */
let bigFrameServer: TestServer;
const BIG_FRAME_BYTES = 16 * 1_048_576;
/** The gate's limit on one update (DEFAULT_UPDATE_LIMITS.maxUpdateBytes). */
const MAX_UPDATE_BYTES = DEFAULT_UPDATE_LIMITS.maxUpdateBytes;
const cleanups: Array<() => void> = [];

before(async () => {
  server = await startTestServer({
    env: {
      MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      MAX_PENDING_FRAMES: String(MAX_PENDING_FRAMES),
    },
    wrapStore: slowToLoad,
  });
  bigFrameServer = await startTestServer({ env: { MAX_MESSAGE_BYTES: String(BIG_FRAME_BYTES) } });
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
after(async () => {
  await Promise.all([server.close(), bigFrameServer.close()]);
});

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function stockClient(target: TestServer, boardId: string): StockClient {
  const client = connectStockClient(target.wsUrl, boardId);
  cleanups.push(() => client.destroy());
  return client;
}

function rawPeer(target: TestServer, boardId: string, rawPath?: string): RawPeer {
  const peer = connectRawPeer(target.wsUrl, boardId, { rawPath });
  cleanups.push(() => peer.terminate());
  return peer;
}

function validShape(id: string): Shape {
  return { id, type: 'rect', x: 10, y: 20, width: 100, height: 50, points: [], ...SHAPE_DEFAULTS };
}

interface Board {
  target: TestServer;
  id: string;
  writer: StockClient;
  reader: StockClient;
  /** Ids of the shapes the board must hold, all valid. */
  expected: Set<string>;
  /** Anything the reader ever saw under `shapes` that was not an expected, valid shape. */
  violations: string[];
}

/** A board (fresh unless `id` is given) with two synced stock clients and one shape. */
async function openBoard(target = server, id = newRandomId()): Promise<Board> {
  const board: Board = {
    target,
    id,
    writer: stockClient(target, id),
    reader: stockClient(target, id),
    expected: new Set<string>(),
    violations: [],
  };
  const stopWatching = observeShapes(board.reader.doc, (changed) => {
    for (const shapeId of changed) {
      const present = getShapesMap(board.reader.doc).has(shapeId);
      if (present && (!board.expected.has(shapeId) || !readShape(board.reader.doc, shapeId))) {
        board.violations.push(shapeId);
      }
    }
  });
  cleanups.push(stopWatching);
  await within(
    Promise.all([board.writer.synced, board.reader.synced]),
    5_000,
    'stock clients to sync',
  );
  await relayLatency(board);
  return board;
}

/** Adds a valid shape on the writer and resolves with how long the reader took to see it. */
function relayLatency(board: Board): Promise<number> {
  const shapeId = newShapeId();
  board.expected.add(shapeId);
  let stop = () => {};
  const start = performance.now();
  const seen = new Promise<number>((resolve) => {
    stop = observeShapes(board.reader.doc, (changed) => {
      if (changed.has(shapeId)) resolve(performance.now() - start);
    });
  });
  addShapes(board.writer.doc, [validShape(shapeId)]);
  return within(seen, 2_000, 'a bystander edit to be relayed').finally(() => stop());
}

class SlowRelay extends Error {}

function assertRelayFast(latencies: Record<string, number>): void {
  for (const [when, ms] of Object.entries(latencies)) {
    if (ms >= RELAY_BUDGET_MS)
      throw new SlowRelay(
        `relay took ${ms.toFixed(1)} ms ${when} the attack (budget ${RELAY_BUDGET_MS} ms)`,
      );
  }
}

/** Runs `scenario`, again on a SlowRelay failure, up to RELAY_ATTEMPTS times in all. */
async function withRelayRetry<T>(scenario: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await scenario();
    } catch (error) {
      if (!(error instanceof SlowRelay) || attempt >= RELAY_ATTEMPTS) throw error;
    }
  }
}

function assertDocHoldsExactly(doc: Y.Doc, expected: Set<string>, who: string): void {
  const stored = [...getShapesMap(doc).keys()].sort();
  assert.deepEqual(stored, [...expected].sort(), `${who}: the board's entries changed`);
  const valid = readShapes(doc)
    .map((shape) => shape.id)
    .sort();
  assert.deepEqual(valid, stored, `${who}: the board holds an invalid shape`);
}

/** Both bystanders, and a client joining now, see exactly the expected valid shapes. */
async function assertBoardIntact(board: Board): Promise<void> {
  assert.deepEqual(board.violations, [], 'the reader saw a foreign or invalid shape at some point');
  assertDocHoldsExactly(board.writer.doc, board.expected, 'writer');
  assertDocHoldsExactly(board.reader.doc, board.expected, 'reader');
  const late = stockClient(board.target, board.id);
  await within(late.synced, 5_000, 'a late client to sync');
  assertDocHoldsExactly(late.doc, board.expected, 'late joiner');
  const health = await fetch(`${board.target.url}/healthz`);
  assert.equal(health.status, 200);
}

/**
 * Runs `attack` from `count` raw peers on a fresh board and checks everything around it.
 * Resolves with the close codes the attackers got.
 */
function runAttack(
  attack: (peer: RawPeer, index: number) => void,
  options: { count?: number; target?: TestServer } = {},
): Promise<number[]> {
  return withRelayRetry(() => attackOnce(attack, options));
}

async function attackOnce(
  attack: (peer: RawPeer, index: number) => void,
  options: { count?: number; target?: TestServer },
): Promise<number[]> {
  const board = await openBoard(options.target);
  const attackers = Array.from({ length: options.count ?? 1 }, () =>
    rawPeer(board.target, board.id),
  );
  await within(Promise.all(attackers.map((peer) => peer.joined)), 5_000, 'attackers to join');
  const beforeMs = await relayLatency(board);
  attackers.forEach(attack);
  const duringMs = await relayLatency(board);
  const closes = await within(
    Promise.all(attackers.map((peer) => peer.closed)),
    CLOSE_WAIT_MS,
    'attackers to be closed',
  );
  const afterMs = await relayLatency(board);
  assertRelayFast({ before: beforeMs, during: duringMs, after: afterMs });
  await assertBoardIntact(board);
  return closes.map((close) => close.code);
}

async function assertClosedWith(expected: number, attack: (peer: RawPeer) => void): Promise<void> {
  const [code] = await runAttack(attack);
  assert.equal(code, expected);
}

/**
 * Sends `messages` the moment the socket opens, while the board (one nobody has opened yet) is
 * still loading, so the server holds them; then checks the board as `runAttack` does.
 */
async function assertRefusedWhileLoading(expected: number, messages: Uint8Array[]): Promise<void> {
  const burst = encodeBurst(messages);
  await withRelayRetry(async () => {
    const boardId = `${SLOW_BOARD_PREFIX}${newRandomId()}`;
    const peer = rawPeer(server, boardId);
    await peer.opened;
    peer.sendBurst(burst);
    const close = await within(peer.closed, LOAD_DELAY_MS + CLOSE_WAIT_MS, 'the peer to be closed');
    assert.equal(close.code, expected);
    const board = await openBoard(server, boardId);
    assertRelayFast({ after: await relayLatency(board) });
    await assertBoardIntact(board);
  });
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe('malformed frames', () => {
  it('closes a peer that sends garbage bytes with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(bytes(0xde, 0xad, 0xbe, 0xef)));
  });

  it('closes a peer that sends an empty binary frame with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(new Uint8Array(0)));
  });

  it('closes a peer whose sync frame is cut short with 1007', async () => {
    // sync, update, a payload announced as 100 bytes of which 3 arrive
    await assertClosedWith(MALFORMED.code, (peer) =>
      peer.send(bytes(0, SYNC_STEP.UPDATE, 100, 1, 2, 3)),
    );
  });

  it('closes a peer whose Yjs update is cut short inside a well-formed frame with 1007', async () => {
    const doc = new Y.Doc();
    addShapes(doc, [validShape('truncated')]);
    const update = Y.encodeStateAsUpdate(doc);
    await assertClosedWith(MALFORMED.code, (peer) =>
      peer.sendUpdate(update.subarray(0, update.length - 5)),
    );
  });

  it('closes a peer that sends an unknown message type with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(bytes(7, 0, 0)));
  });

  it('closes a peer that sends an unknown sync step with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(encodeSyncFrame(9, bytes(0, 0))));
  });

  it('closes a peer whose state vector does not decode with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.sendSyncStep1(bytes(5, 1)));
  });

  it('closes a peer that sends a varint longer than 53 bits with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(new Uint8Array(10).fill(0xff)));
  });

  it('closes a peer whose update length is an overflowing varint with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) =>
      peer.send(bytes(0, SYNC_STEP.UPDATE, ...new Uint8Array(10).fill(0xff))),
    );
  });

  it('closes a peer that sends a text frame with 1007, even one whose bytes are a valid message', async () => {
    // U+0003 is a query-awareness message: harmless as a binary frame, refused as text.
    await assertClosedWith(MALFORMED.code, (peer) =>
      peer.send(String.fromCharCode(MESSAGE_TYPE.QUERY_AWARENESS)),
    );
  });

  it('closes a peer whose awareness frame is cut short with 1007', async () => {
    await assertClosedWith(MALFORMED.code, (peer) => peer.send(bytes(1, 50, 1, 7)));
  });

  it('closes a peer that sends garbage while its board is still loading with 1007', async () => {
    await assertRefusedWhileLoading(MALFORMED.code, [bytes(0xde, 0xad)]);
  });

  it('closes a peer that sends more frames than MAX_PENDING_FRAMES while its board loads with 1008', async () => {
    const queries = Array.from({ length: MAX_PENDING_FRAMES + 1 }, () =>
      bytes(MESSAGE_TYPE.QUERY_AWARENESS),
    );
    await assertRefusedWhileLoading(OVER_LIMIT.code, queries);
  });

  it('applies nothing a peer sent after the frame that got it closed', async () => {
    const doc = new Y.Doc();
    addShapes(doc, [validShape('sent-after-close')]);
    const update = encodeSyncFrame(SYNC_STEP.UPDATE, Y.encodeStateAsUpdate(doc));
    const burst = encodeBurst([bytes(0xde, 0xad), update]); // both arrive in one read
    await assertClosedWith(MALFORMED.code, (peer) => peer.sendBurst(burst));
  });

  it('closes a peer that sends a frame over MAX_MESSAGE_BYTES with 1009', async () => {
    const burst = encodeBurst([new Uint8Array(MAX_MESSAGE_BYTES + 1024)]);
    await assertClosedWith(TOO_BIG.code, (peer) => peer.sendBurst(burst));
  });
});

describe('the amplification update', () => {
  // One client section announcing 2^25 - 1 structs, and nothing else: 5 bytes that make Yjs's
  // own reader allocate an array of 33,554,431 entries.
  const AMPLIFYING_UPDATE = bytes(1, 0xff, 0xff, 0xff, 0x0f);

  it('closes twenty peers sending it at once with the gate’s code while bystanders keep editing', async () => {
    const verdict = checkUpdate(AMPLIFYING_UPDATE, new Y.Doc());
    assert.equal(verdict.kind, 'refuse', 'the gate must refuse the amplification update');
    // The gate documents: does not decode → 1007, over a limit → 1008. 33,554,431 structs in
    // zero bytes do not decode, so 1007 is expected, but either documented code is acceptable.
    const expected: number = verdict.kind === 'refuse' ? verdict.close.code : -1;
    assert.ok(
      [MALFORMED.code, OVER_LIMIT.code].some((code) => code === expected),
      `gate answered ${expected}`,
    );
    const codes = await runAttack(
      (peer, i) =>
        i % 2 === 0 ? peer.sendUpdate(AMPLIFYING_UPDATE) : peer.sendSyncStep2(AMPLIFYING_UPDATE),
      { count: 20 },
    );
    assert.deepEqual(codes, new Array<number>(20).fill(expected));
  });
});

/** A well-formed update that writes a valid shape `companion` and, beside it, `writeBad`. */
function updateWith(writeBad: (shapes: Y.Map<unknown>, shape: Y.Map<unknown>) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    addShapes(doc, [validShape('companion')]);
    const shape = new Y.Map<unknown>();
    getShapesMap(doc).set('bad', shape);
    for (const [name, value] of Object.entries(validShape('bad')))
      if (name !== 'id') shape.set(name, value);
    writeBad(getShapesMap(doc), shape);
  });
  return Y.encodeStateAsUpdate(doc);
}

describe('updates that break the layout or its limits', () => {
  // Bad values inside a well-formed shape edit are repaired, not refused: see repairs.test.ts.
  const cases: Array<[string, number, (shapes: Y.Map<unknown>, shape: Y.Map<unknown>) => void]> = [
    ["a shape's width is a BigInt", OVER_LIMIT.code, (_, shape) => shape.set('width', 10n)],
    [
      "a shape's text has 4 MB, more than the frame limit",
      TOO_BIG.code,
      (_, shape) => shape.set('text', 'x'.repeat(4_000_000)),
    ],
    [
      'a shape holds binary content',
      OVER_LIMIT.code,
      (_, shape) => shape.set('blob', new Uint8Array(4)),
    ],
    ['a shape holds a subdocument', OVER_LIMIT.code, (_, shape) => shape.set('doc', new Y.Doc())],
    [
      'a number sits under shapes instead of a map',
      OVER_LIMIT.code,
      (shapes) => shapes.set('bad', 42),
    ],
    [
      'a string sits under shapes instead of a map',
      OVER_LIMIT.code,
      (shapes) => shapes.set('bad', 'rect'),
    ],
    ['a shape id is not URL-safe', OVER_LIMIT.code, (shapes) => shapes.set('../etc', new Y.Map())],
  ];
  for (const [what, code, writeBad] of cases) {
    it(`refuses whole an update in which ${what}, closing its sender with ${code}`, async () => {
      const burst = encodeBurst([encodeSyncFrame(SYNC_STEP.UPDATE, updateWith(writeBad))]);
      await assertClosedWith(code, (peer) => peer.sendBurst(burst));
    });
  }

  it('refuses an update over the gate’s byte limit with 1009 even when the frame limit allows it', async () => {
    assert.ok(MAX_UPDATE_BYTES + 1_048_576 < BIG_FRAME_BYTES, 'the frame must pass ws');
    const text = 'x'.repeat(MAX_UPDATE_BYTES + 1_024);
    const update = updateWith((_, shape) => shape.set('text', text));
    const burst = encodeBurst([encodeSyncFrame(SYNC_STEP.UPDATE, update)]);
    const [code] = await runAttack((peer) => peer.sendBurst(burst), { target: bigFrameServer });
    assert.equal(code, TOO_BIG.code);
  });

  it('refuses a 4 MB text that fits the frame limit with 1008 (past the gate’s string limit)', async () => {
    assert.ok(4_000_000 > DEFAULT_UPDATE_LIMITS.maxStringLength);
    const update = updateWith((_, shape) => shape.set('text', 'x'.repeat(4_000_000)));
    const burst = encodeBurst([encodeSyncFrame(SYNC_STEP.UPDATE, update)]);
    const [code] = await runAttack((peer) => peer.sendBurst(burst), { target: bigFrameServer });
    assert.equal(code, OVER_LIMIT.code);
  });

  it('refuses a layout break sent as sync step 2, closing its sender with 1008', async () => {
    const update = updateWith((shapes) => shapes.set('bad', 42));
    await assertClosedWith(OVER_LIMIT.code, (peer) => peer.sendSyncStep2(update));
  });
});

describe('bad board ids', () => {
  const ids: Array<[string, string]> = [
    ['..', '/ws/..'],
    ['%2E%2E', '/ws/%2E%2E'],
    ['%2F', '/ws/a%2Fb'],
    ['NUL (%00)', '/ws/a%00b'],
    ['5,000 characters', `/ws/${'a'.repeat(5_000)}`],
    ['an empty id', '/ws/'],
    ['a malformed percent escape', '/ws/a%zz'],
  ];
  for (const [what, rawPath] of ids) {
    it(`completes the upgrade for the id ${what}, then closes with 4400 and sends nothing`, async () => {
      const peer = rawPeer(server, 'unused', rawPath);
      await within(peer.opened, 2_000, 'the upgrade');
      const close = await within(peer.closed, CLOSE_WAIT_MS, 'the close');
      assert.equal(close.code, BAD_ID.code);
      assert.equal(peer.frames.length, 0, 'a peer with a bad id must receive no board data');
    });
  }
});

describe('presence abuse', () => {
  it('closes an awareness flood with 4429, relays far fewer frames and keeps edits fast', async () => {
    const FLOOD_ID = 424242;
    const FRAMES = 2_000;
    const flood = encodeBurst(
      Array.from({ length: FRAMES }, (_, i) => {
        const state = {
          user: { name: 'flood', color: '#f00' },
          cursor: { x: i, y: i },
          selection: [],
        };
        return encodeAwarenessFrame([{ clientId: FLOOD_ID, clock: i + 1, state }]);
      }),
    );
    await withRelayRetry(async () => {
      const board = await openBoard();
      const flooder = rawPeer(server, board.id);
      const bystander = rawPeer(server, board.id);
      await within(Promise.all([flooder.joined, bystander.joined]), 5_000, 'peers to join');
      flooder.sendBurst(flood);
      const duringMs = await relayLatency(board);
      const close = await within(flooder.closed, CLOSE_WAIT_MS, 'the flooder to be closed');
      assert.equal(close.code, RATE_LIMITED.code);
      // Its presence is removed once it is gone: after that, nothing more of the flood comes.
      const floodStates = () =>
        bystander
          .awarenessUpdates()
          .flat()
          .filter((entry) => entry.clientId === FLOOD_ID);
      await waitFor(() => floodStates().at(-1)?.state === null, 2_000, 'the flooder to leave');
      assert.ok(floodStates().length > 1, 'the bystander saw the flooder’s presence');
      const received = bystander.awarenessUpdates().length;
      assert.ok(
        received <= FRAMES / 20,
        `bystander got ${received} awareness frames for ${FRAMES}`,
      );
      assertRelayFast({ during: duringMs, after: await relayLatency(board) });
      await assertBoardIntact(board);
    });
  });

  it('ignores another connection that claims a user’s client id', async () => {
    const boardId = newRandomId();
    const victim = stockClient(server, boardId);
    const observer = stockClient(server, boardId);
    const attacker = rawPeer(server, boardId);
    await within(
      Promise.all([victim.synced, observer.synced, attacker.joined]),
      5_000,
      'clients to sync',
    );
    const alice = {
      user: { name: 'alice', color: '#00aa00' },
      cursor: { x: 1, y: 2 },
      selection: [],
    };
    victim.provider.awareness.setLocalState(alice);
    const victimId = victim.doc.clientID;
    await waitFor(
      () => observer.provider.awareness.getStates().get(victimId)?.user?.name === 'alice',
      2_000,
      'alice',
    );
    const mallory = {
      user: { name: 'mallory', color: '#000000' },
      cursor: { x: 9, y: 9 },
      selection: [],
    };
    attacker.sendAwareness([{ clientId: victimId, clock: 1_000, state: mallory }]);
    attacker.sendAwareness([{ clientId: victimId, clock: 1_001, state: null }]);
    // Frames are handled in order: once the attacker's own presence arrives, the forgeries
    // before it have been handled too.
    const ATTACKER_ID = 31337;
    attacker.sendAwareness([
      {
        clientId: ATTACKER_ID,
        clock: 1,
        state: { ...mallory, user: { name: 'carol', color: '#0000ff' } },
      },
    ]);
    await waitFor(
      () => observer.provider.awareness.getStates().has(ATTACKER_ID),
      2_000,
      "the attacker's own presence",
    );
    assert.deepEqual(observer.provider.awareness.getStates().get(victimId), alice);
    assert.deepEqual(victim.provider.awareness.getLocalState(), alice);
  });
});
