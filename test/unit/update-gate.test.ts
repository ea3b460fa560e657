import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { QueuedStructs } from '../../server/room/queued-structs.ts';
import { rect as baseRect } from '../helpers/shapes.ts';
import {
  addShapes,
  getShapesMap,
  removeShapes,
  updateShapes,
} from '../../common/board/board-doc.ts';
import type { Shape } from '../../common/board/shape.ts';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import {
  checkUpdate,
  DEFAULT_UPDATE_LIMITS,
  type GateQueue,
  type GateVerdict,
  type UpdateLimits,
} from '../../server/room/update-gate.ts';

const MALFORMED = CLOSE.MALFORMED.code;
const OVER_LIMIT = CLOSE.OVER_LIMIT.code;
const TOO_BIG = CLOSE.TOO_BIG.code;
const UNBOUNDED: UpdateLimits = { ...DEFAULT_UPDATE_LIMITS, maxUpdateBytes: 1e9, maxStructs: 1e7 };

/** A rectangle at (10, 20) with `fields` on top. */
function rect(id: string, fields: Partial<Shape> = {}): Shape {
  return baseRect(id, 10, 20, fields);
}

function pen(id: string): Shape {
  return { ...rect(id), type: 'pen', width: 0, height: 0, points: [0, 0, 5, 5, 10, 3] };
}

/** The update `change` makes to `doc` (all of its transactions merged). */
function capture(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const onUpdate = (update: Uint8Array) => updates.push(update);
  doc.on('update', onUpdate);
  change();
  doc.off('update', onUpdate);
  assert.ok(updates.length > 0, 'the change made no update');
  return updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
}

/** A server doc holding `shapes` and a client doc synced with it. */
function syncedPair(shapes: Shape[]): { server: Y.Doc; client: Y.Doc } {
  const server = new Y.Doc();
  addShapes(server, shapes);
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

function shapeMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const map = getShapesMap(doc).get(id);
  assert.ok(map instanceof Y.Map);
  return map as Y.Map<unknown>;
}

function assertOk(verdict: GateVerdict): void {
  assert.equal(verdict.kind, 'accept', JSON.stringify(verdict));
}

function assertRefused(verdict: GateVerdict, code: number): void {
  assert.equal(verdict.kind, 'refuse', `the update was not refused: ${verdict.kind}`);
  if (verdict.kind === 'refuse') assert.equal(verdict.close.code, code, verdict.detail);
}

/** Held, needing (at least) these client states. */
function assertHeld(verdict: GateVerdict, needs?: Record<number, number>): void {
  assert.equal(verdict.kind, 'hold', JSON.stringify(verdict));
  if (verdict.kind === 'hold' && needs)
    for (const [client, state] of Object.entries(needs))
      assert.equal(verdict.needs.get(Number(client)), state, `need of client ${client}`);
}

/** A client's edit to shape s1 of a synced pair, checked against the server. */
function checkEdit(edit: (shape: Y.Map<unknown>, client: Y.Doc) => void): GateVerdict {
  const { server, client } = syncedPair([rect('s1'), pen('p1')]);
  const update = capture(client, () => edit(shapeMap(client, 's1'), client));
  return checkUpdate(update, server);
}

function encodeBytes(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** An update of one client section with hand-written structs and an empty delete set. */
function handUpdate(
  structCount: number,
  writeStructs: (encoder: encoding.Encoder) => void,
): Uint8Array {
  return encodeBytes((encoder) => {
    encoding.writeVarUint(encoder, 1); // sections
    encoding.writeVarUint(encoder, structCount);
    encoding.writeVarUint(encoder, 7); // client
    encoding.writeVarUint(encoder, 0); // clock
    writeStructs(encoder);
    encoding.writeVarUint(encoder, 0); // delete set: no clients
  });
}

/** An item at the root `shapes` under `key`, with raw content bytes. */
function writeRootItem(
  encoder: encoding.Encoder,
  key: string,
  contentRef: number,
  content: () => void,
): void {
  encoding.writeUint8(encoder, contentRef | 0x20); // parentSub follows
  encoding.writeVarUint(encoder, 1); // parent is a root name
  encoding.writeVarString(encoder, 'shapes');
  encoding.writeVarString(encoder, key);
  content();
}

describe('checkUpdate: valid updates', () => {
  it('accepts shapes added through addShapes', () => {
    const doc = new Y.Doc();
    const update = capture(doc, () =>
      addShapes(doc, [rect('a'), pen('b'), rect('c', { type: 'text', text: 'hi' })]),
    );
    const server = new Y.Doc();
    assertOk(checkUpdate(update, server));
    assert.equal(server.share.size, 0, 'checking created a root type');
  });

  it('accepts the empty update a sync step 2 carries when there is nothing to send', () => {
    assertOk(checkUpdate(Y.encodeStateAsUpdate(new Y.Doc()), new Y.Doc()));
  });

  it('accepts field updates and removals of shapes the server already has', () => {
    const { server, client } = syncedPair([rect('s1'), rect('s2')]);
    const edit = capture(client, () =>
      updateShapes(client, new Map([['s1', { x: -5.5, text: 'ok', fill: '#fff' }]])),
    );
    assertOk(checkUpdate(edit, server));
    Y.applyUpdate(server, edit);
    const removal = capture(client, () => removeShapes(client, ['s2']));
    assertOk(checkUpdate(removal, server));
  });

  it('accepts concurrent updates to different fields of one shape, alone and merged', () => {
    const { server, client: alice } = syncedPair([rect('s1')]);
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(server));
    const fromAlice = capture(alice, () => shapeMap(alice, 's1').set('x', 300));
    const fromBob = capture(bob, () => shapeMap(bob, 's1').set('fill', 'red'));
    assertOk(checkUpdate(fromAlice, server));
    assertOk(checkUpdate(Y.mergeUpdates([fromAlice, fromBob]), server));
    Y.applyUpdate(server, fromAlice);
    assertOk(checkUpdate(fromBob, server));
  });

  it('accepts points as a Y.Array of numbers, and points appended to it later', () => {
    const { server, client } = syncedPair([]);
    const create = capture(client, () => {
      const shape = new Y.Map<unknown>();
      shape.set('type', 'line');
      shape.set('points', Y.Array.from([0, 0, 10, 10]));
      getShapesMap(client).set('l1', shape);
    });
    assertOk(checkUpdate(create, server));
    Y.applyUpdate(server, create);
    const points = shapeMap(client, 'l1').get('points') as Y.Array<number>;
    const append = capture(client, () => points.push([20, 5]));
    assertOk(checkUpdate(append, server));
    Y.applyUpdate(server, append);
    // Bad coordinates are values, repaired once applied (common/board/repair.ts), not refused.
    const outOfRange = capture(client, () => points.insert(2, [2e6, Number.NaN]));
    assertOk(checkUpdate(outOfRange, server));
    Y.applyUpdate(server, outOfRange);
    assertOk(
      checkUpdate(
        capture(client, () => points.insert(0, ['x'] as never)),
        server,
      ),
    );
  });

  it('accepts a full state with deleted shapes and overwritten fields', () => {
    const doc = new Y.Doc();
    addShapes(doc, [rect('a'), rect('b'), pen('c')]);
    updateShapes(
      doc,
      new Map([
        ['a', { x: 1 }],
        ['c', { points: [1, 2, 3, 4] }],
      ]),
    );
    removeShapes(doc, ['b']);
    getShapesMap(doc).set('a', new Y.Map());
    assertOk(checkUpdate(Y.encodeStateAsUpdate(doc), new Y.Doc()));
  });

  it('accepts bounded JSON-like values in unknown fields', () => {
    assertOk(
      checkEdit((shape) => shape.set('meta', { tags: ['a', 'b'], n: 1.25, ok: true, none: null })),
    );
    assertOk(checkEdit((shape) => shape.set('nested', new Y.Map())));
  });
});

describe('checkUpdate: malformed updates', () => {
  it('refuses garbage bytes with 1007', () => {
    assertRefused(checkUpdate(new TextEncoder().encode('hello, world'), new Y.Doc()), MALFORMED);
    assertRefused(checkUpdate(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), new Y.Doc()), MALFORMED);
    assertRefused(checkUpdate(new Uint8Array(0), new Y.Doc()), MALFORMED);
  });

  it('refuses every truncation of a valid update with 1007', () => {
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a', { text: 'héllo' }), pen('b')]));
    for (let length = 0; length < update.length; length++) {
      assertRefused(checkUpdate(update.subarray(0, length), new Y.Doc()), MALFORMED);
    }
  });

  it('refuses a varint overflow with 1007', () => {
    assertRefused(checkUpdate(new Uint8Array(10).fill(0xff), new Y.Doc()), MALFORMED);
  });

  it('refuses trailing bytes with 1007', () => {
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a')]));
    assertRefused(checkUpdate(new Uint8Array([...update, 0]), new Y.Doc()), MALFORMED);
  });

  it('refuses an unknown content ref, a repeated client and a forward origin with 1007', () => {
    const unknownRef = handUpdate(1, (e) =>
      writeRootItem(e, 'a', 11, () => encoding.writeVarUint(e, 0)),
    );
    assertRefused(checkUpdate(unknownRef, new Y.Doc()), MALFORMED);
    const repeated = encodeBytes((e) => {
      encoding.writeVarUint(e, 2);
      for (let i = 0; i < 2; i++) [1, 7, 0, 0, 1].forEach((n) => encoding.writeVarUint(e, n)); // one GC each
      encoding.writeVarUint(e, 0);
    });
    assertRefused(checkUpdate(repeated, new Y.Doc()), MALFORMED);
    const forward = handUpdate(1, (e) => {
      encoding.writeUint8(e, 0x80 | 8); // origin, any content
      [7, 5, 1].forEach((n) => encoding.writeVarUint(e, n)); // origin 7:5, one value
      encoding.writeAny(e, 1);
    });
    assertRefused(checkUpdate(forward, new Y.Doc()), MALFORMED);
  });

  it('refuses the 7-byte struct-count amplification fast, without allocating for it', () => {
    const amplifier = encodeBytes((e) =>
      [1, 33_554_431, 1, 0].forEach((n) => encoding.writeVarUint(e, n)),
    );
    assert.equal(amplifier.length, 7);
    const doc = new Y.Doc();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    for (let i = 0; i < 20; i++) assertRefused(checkUpdate(amplifier, doc), MALFORMED);
    // Yjs itself spends ~0.7 s on each; a generous bound that only a naive decode can miss.
    assert.ok(performance.now() - started < 2_000, 'twenty refusals took 2 s or more');
    assert.ok(
      process.memoryUsage().heapUsed - heapBefore < 16 * 1024 * 1024,
      'the check allocated megabytes',
    );
  });

  it('never throws on random corruptions of a valid update', () => {
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a'), pen('b')]));
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2_000; i++) {
      const corrupt = update.slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
      }
      const verdict = checkUpdate(corrupt, new Y.Doc());
      if (verdict.kind === 'accept') {
        const doc = new Y.Doc();
        assert.doesNotThrow(() => Y.applyUpdate(doc, corrupt));
        assert.equal(doc.store.pendingStructs, null, 'an accepted update left pending structs');
        assert.equal(doc.store.pendingDs, null, 'an accepted update left pending deletes');
      }
    }
  });
});

describe('checkUpdate: values and layout', () => {
  it('accepts NaN, Infinity, undefined and wrong types in shape fields: they are repaired, not refused', () => {
    for (const value of [Number.NaN, Infinity, -Infinity, 'abc', undefined, 1e12, new Y.Map()])
      assertOk(checkEdit((shape) => shape.set('x', value)));
    assertOk(checkEdit((shape) => shape.set('fontSize', 5_000)));
    assertOk(checkEdit((shape) => shape.set('type', 'hexagon')));
    assertOk(checkEdit((shape) => shape.set('meta', [undefined, Number.NaN])));
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a', { type: 'blob' as never })]));
    assertOk(checkUpdate(update, new Y.Doc()));
  });

  it('accepts text well past the shape limit, which a repair cuts, and refuses a string past the attack limit', () => {
    assertOk(checkEdit((shape) => shape.set('text', 'x'.repeat(20_000))));
    assertOk(
      checkEdit((shape) => shape.set('text', 'x'.repeat(DEFAULT_UPDATE_LIMITS.maxStringLength))),
    );
    assertRefused(
      checkEdit((shape) =>
        shape.set('text', 'x'.repeat(DEFAULT_UPDATE_LIMITS.maxStringLength + 1)),
      ),
      OVER_LIMIT,
    );
  });

  it('refuses BigInt and binary values with 1008', () => {
    assertRefused(
      checkEdit((shape) => shape.set('x', 5n)),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('blob', new Uint8Array([1, 2]))),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('meta', { blob: new Uint8Array([1]) })),
      OVER_LIMIT,
    );
  });

  it('refuses a value under shapes that is not a Y.Map, or has an invalid id, with 1008', () => {
    assertRefused(
      checkEdit((_shape, doc) => getShapesMap(doc).set('n', 42)),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((_shape, doc) => getShapesMap(doc).set('s1', 'replaced')),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((_shape, doc) => getShapesMap(doc).set('bad id!', new Y.Map())),
      OVER_LIMIT,
    );
  });

  it('refuses subdocuments, Y.Text, XML and other roots with 1008', () => {
    assertRefused(
      checkEdit((shape) => shape.set('doc', new Y.Doc())),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((_shape, doc) => getShapesMap(doc).set('d', new Y.Doc())),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('text', new Y.Text('hi'))),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('notes', new Y.XmlFragment())),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((_shape, doc) => doc.getMap('other').set('a', 1)),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((_shape, doc) => doc.getArray('shapes2').push([1])),
      OVER_LIMIT,
    );
  });

  it('refuses embed content on a shape with 1008', () => {
    const embed = handUpdate(1, (e) =>
      writeRootItem(e, 'a', 5, () => encoding.writeVarString(e, '{}')),
    );
    assertRefused(checkUpdate(embed, new Y.Doc()), OVER_LIMIT);
  });

  it('resolves a field of a shape already in the doc through the doc', () => {
    // Overwriting x: the new item names only its origin (the old x item, in the server's doc).
    assertOk(checkEdit((shape) => shape.set('x', 42.5)));
    // A new field: the item names its parent by the id of the shape's map item, in the doc.
    assertOk(checkEdit((shape) => shape.set('fontSize', 32)));
    // A new shape under a bad key is refused whatever the doc holds.
    assertRefused(
      checkEdit((_shape, doc) => getShapesMap(doc).set('no/slash', new Y.Map())),
      OVER_LIMIT,
    );
  });

  it('holds an item that depends on items the server does not have', () => {
    const client = new Y.Doc();
    addShapes(client, [rect('s1')]);
    const created = Y.getState(client.store, client.clientID);
    // Sent without the shape it edits, Yjs would keep it pending and integrate it later.
    const edit = capture(client, () => shapeMap(client, 's1').set('x', 42));
    assertHeld(checkUpdate(edit, new Y.Doc()), { [client.clientID]: created });
  });

  it('holds the held-back half of an update sent in the wrong order, and accepts it once the rest arrived', () => {
    const client = new Y.Doc();
    const shape = capture(client, () => client.getMap('shapes').set('evil', new Y.Map()));
    const fields = capture(client, () => {
      shapeMap(client, 'evil').set('x', 'abc');
      shapeMap(client, 'evil').set('text', 'y'.repeat(16_000));
    });
    const server = new Y.Doc();
    assertHeld(checkUpdate(fields, server));
    assertOk(checkUpdate(shape, server));
    Y.applyUpdate(server, shape);
    assertOk(checkUpdate(fields, server));
  });

  it('holds a new shape whose client has earlier clocks the server lacks (an edit made before sync step 2)', () => {
    const client = new Y.Doc();
    const offline = capture(client, () => addShapes(client, [rect('offline')]));
    const offlineEnd = Y.getState(client.store, client.clientID);
    const fresh = capture(client, () => addShapes(client, [rect('fresh')]));
    const server = new Y.Doc();
    assertHeld(checkUpdate(fresh, server), { [client.clientID]: offlineEnd });
    Y.applyUpdate(server, offline);
    assertOk(checkUpdate(fresh, server));
    Y.applyUpdate(server, fresh);
    assert.equal(server.store.pendingStructs, null);
  });

  it('holds a delete of clocks nobody has, and accepts one of clocks the update itself brings', () => {
    const forged = encodeBytes((e) => {
      encoding.writeVarUint(e, 0); // no structs
      encoding.writeVarUint(e, 1); // one delete-set client
      [424242, 1, 0, 1_000].forEach((n) => encoding.writeVarUint(e, n)); // client, 1 range, clock 0, length 1,000
    });
    assertHeld(checkUpdate(forged, new Y.Doc()), { 424242: 1_000 });
    const doc = new Y.Doc();
    const addAndRemove = capture(doc, () => {
      addShapes(doc, [rect('a'), rect('b')]);
      removeShapes(doc, ['a']);
    });
    assertOk(checkUpdate(addAndRemove, new Y.Doc()));
    const server = new Y.Doc();
    Y.applyUpdate(server, addAndRemove);
    assert.equal(server.store.pendingDs, null);
  });

  it('resolves dependencies in queued updates the room has accepted but not applied yet', () => {
    const client = new Y.Doc();
    const added = capture(client, () => addShapes(client, [rect('s1')]));
    const moved = capture(client, () => shapeMap(client, 's1').set('x', 42));
    const server = new Y.Doc();
    const queued: GateQueue = new QueuedStructs();
    const queue = (update: Uint8Array) => {
      const verdict = checkUpdate(update, server, undefined, queued);
      assertOk(verdict);
      if (verdict.kind === 'accept') queued.add(verdict.decoded);
    };
    queue(added);
    queue(moved);
    const removed = capture(client, () => removeShapes(client, ['s1']));
    assertOk(checkUpdate(removed, server, undefined, queued));
    queued.clear();
    assertHeld(checkUpdate(moved, server, undefined, queued));
    assertHeld(checkUpdate(removed, server, undefined, queued));
  });

  it('looks a dependency up in the queued updates before the update itself, as Yjs applies them', () => {
    // Queued: client 7's item 7:0 is a shape (a Y.Map under shapes). The update brings its own
    // 7:0, a Y.Map under an unknown field of a shape, and an unkeyed item under 7:0. Yjs keeps
    // the queued 7:0, so that item lands in a shape without a field name: refused.
    const server = new Y.Doc();
    addShapes(server, [rect('host')]);
    const hostItem = (getShapesMap(server).get('host') as Y.Map<unknown>)._item as Y.Item;
    const queuedShape = handUpdate(
      1,
      (e) => writeRootItem(e, 'q', 7, () => encoding.writeVarUint(e, 1)), // a Y.Map
    );
    const queued: GateQueue = new QueuedStructs();
    const first = checkUpdate(queuedShape, server, undefined, queued);
    assertOk(first);
    if (first.kind === 'accept') queued.add(first.decoded);
    const forged = encodeBytes((e) => {
      encoding.writeVarUint(e, 2); // two clients
      encoding.writeVarUint(e, 1); // client 7: one struct at clock 0
      encoding.writeVarUint(e, 7);
      encoding.writeVarUint(e, 0);
      encoding.writeUint8(e, 7 | 0x20); // a type, parentSub follows
      encoding.writeVarUint(e, 0); // parent is an id…
      encoding.writeVarUint(e, hostItem.id.client);
      encoding.writeVarUint(e, hostItem.id.clock); // …the host shape's map
      encoding.writeVarString(e, 'meta');
      encoding.writeVarUint(e, 1); // Y.Map
      encoding.writeVarUint(e, 1); // client 8: one struct at clock 0
      encoding.writeVarUint(e, 8);
      encoding.writeVarUint(e, 0);
      encoding.writeUint8(e, 8); // any content, no parentSub
      encoding.writeVarUint(e, 0); // parent is an id: 7:0
      encoding.writeVarUint(e, 7);
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 1);
      encoding.writeAny(e, 1);
      encoding.writeVarUint(e, 0); // empty delete set
    });
    assertRefused(checkUpdate(forged, server, undefined, queued), OVER_LIMIT);
  });

  it('refuses items that depend on each other in a cycle with 1007', () => {
    const cycle = encodeBytes((e) => {
      encoding.writeVarUint(e, 2);
      for (const [client, other] of [
        [7, 8],
        [8, 7],
      ] as const) {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, client);
        encoding.writeVarUint(e, 0);
        encoding.writeUint8(e, 0x80 | 8); // origin, any content
        encoding.writeVarUint(e, other);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 1);
        encoding.writeAny(e, 1);
      }
      encoding.writeVarUint(e, 0);
    });
    assertRefused(checkUpdate(cycle, new Y.Doc()), MALFORMED);
  });
});

describe('checkUpdate: limits', () => {
  it('refuses an update over maxUpdateBytes with 1009', () => {
    const doc = new Y.Doc();
    const shapes = Array.from({ length: 4_000 }, (_, i) =>
      rect(`shape-${i}`, { text: 'some text' }),
    );
    const update = capture(doc, () => addShapes(doc, shapes));
    const limits = { ...DEFAULT_UPDATE_LIMITS, maxUpdateBytes: 64 * 1024 };
    assert.ok(update.length > limits.maxUpdateBytes);
    assertRefused(checkUpdate(update, new Y.Doc(), limits), TOO_BIG);
    assertOk(checkUpdate(update, new Y.Doc(), UNBOUNDED));
  });

  it('refuses more structs or delete ranges than the limits with 1008', () => {
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a'), rect('b'), rect('c')]));
    assertRefused(
      checkUpdate(update, new Y.Doc(), { ...DEFAULT_UPDATE_LIMITS, maxStructs: 10 }),
      OVER_LIMIT,
    );
    const server = new Y.Doc();
    Y.applyUpdate(server, update);
    const removal = capture(doc, () => removeShapes(doc, ['a', 'c'])); // two separate ranges
    assertOk(checkUpdate(removal, server));
    assertRefused(
      checkUpdate(removal, server, { ...DEFAULT_UPDATE_LIMITS, maxDeleteRanges: 1 }),
      OVER_LIMIT,
    );
  });

  it('refuses strings, nesting and entries over the generic bounds with 1008', () => {
    const limits = {
      ...DEFAULT_UPDATE_LIMITS,
      maxStringLength: 100,
      maxAnyDepth: 3,
      maxAnyEntries: 5,
    };
    const check = (value: unknown) => {
      const { server, client } = syncedPair([rect('s1')]);
      return checkUpdate(
        capture(client, () => shapeMap(client, 's1').set('meta', value)),
        server,
        limits,
      );
    };
    assertOk(check({ a: [[1]] }));
    assertRefused(check('y'.repeat(101)), OVER_LIMIT);
    assertRefused(check({ a: [[[1]]] }), OVER_LIMIT);
    assertRefused(check([1, 2, 3, 4, 5, 6]), OVER_LIMIT);
  });

  it('accepts a 10,000-shape update whole', () => {
    // How fast the gate is compared with Yjs is measured by `npm run bench`, not asserted here.
    const doc = new Y.Doc();
    const shapes = Array.from({ length: 10_000 }, (_, i) => pen(`p${i}`));
    const update = capture(doc, () => addShapes(doc, shapes));
    assertOk(checkUpdate(update, new Y.Doc(), UNBOUNDED));
  });
});
