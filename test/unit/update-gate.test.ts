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
  assert.ok(verdict.ok, verdict.ok ? '' : `refused: ${verdict.detail}`);
}

function assertRefused(verdict: GateVerdict, code: number): void {
  assert.equal(verdict.ok, false, 'the update was accepted');
  if (!verdict.ok) assert.equal(verdict.close.code, code, verdict.detail);
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
    assertRefused(
      checkUpdate(
        capture(client, () => points.insert(2, [2e6, 0])),
        server,
      ),
      OVER_LIMIT,
    );
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    const otherPoints = shapeMap(other, 'l1').get('points') as Y.Array<number>;
    assertRefused(
      checkUpdate(
        capture(other, () => otherPoints.insert(0, ['x'] as never)),
        server,
      ),
      OVER_LIMIT,
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
      if (verdict.ok) assert.doesNotThrow(() => Y.applyUpdate(new Y.Doc(), corrupt));
    }
  });
});

describe('checkUpdate: values and layout', () => {
  it('refuses NaN, Infinity and a string for x with 1008', () => {
    assertRefused(
      checkEdit((shape) => shape.set('x', NaN)),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('x', Infinity)),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('x', 'abc')),
      OVER_LIMIT,
    );
  });

  it('refuses BigInt, binary and undefined values with 1008', () => {
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
    assertRefused(
      checkEdit((shape) => shape.set('meta', [undefined])),
      OVER_LIMIT,
    );
  });

  it('refuses text longer than the shape limit with 1008', () => {
    assertRefused(
      checkEdit((shape) => shape.set('text', 'x'.repeat(20_000))),
      OVER_LIMIT,
    );
    assertRefused(
      checkEdit((shape) => shape.set('text', 'x'.repeat(10_001))),
      OVER_LIMIT,
    );
    assertOk(checkEdit((shape) => shape.set('text', 'x'.repeat(10_000))));
  });

  it('refuses an unknown shape type with 1008', () => {
    assertRefused(
      checkEdit((shape) => shape.set('type', 'hexagon')),
      OVER_LIMIT,
    );
    const doc = new Y.Doc();
    const update = capture(doc, () => addShapes(doc, [rect('a', { type: 'blob' as never })]));
    assertRefused(checkUpdate(update, new Y.Doc()), OVER_LIMIT);
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

  it('refuses subdocuments, Y.Text fields and other roots with 1008', () => {
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
    assertRefused(
      checkEdit((shape) => shape.set('x', new Y.Map())),
      OVER_LIMIT,
    );
  });

  it('refuses embed content on a shape with 1008', () => {
    const embed = handUpdate(1, (e) =>
      writeRootItem(e, 'a', 5, () => encoding.writeVarString(e, '{}')),
    );
    assertRefused(checkUpdate(embed, new Y.Doc()), OVER_LIMIT);
  });

  it('checks a field of a shape already in the doc, resolving its parent through the doc', () => {
    // Overwriting x: the new item names only its origin (the old x item, in the server's doc).
    assertRefused(
      checkEdit((shape) => shape.set('x', 'abc')),
      OVER_LIMIT,
    );
    assertOk(checkEdit((shape) => shape.set('x', 42.5)));
    // A new field: the item names its parent by the id of the shape's map item, in the doc.
    assertRefused(
      checkEdit((shape) => shape.set('fontSize', -5)),
      OVER_LIMIT,
    );
    assertOk(checkEdit((shape) => shape.set('fontSize', 32)));
  });

  it('refuses an item that depends on items the server does not have', () => {
    const client = new Y.Doc();
    addShapes(client, [rect('s1')]);
    // Sent without the shape it edits, Yjs would hold it pending and integrate it unchecked later.
    const edit = capture(client, () => shapeMap(client, 's1').set('x', 42));
    assertRefused(checkUpdate(edit, new Y.Doc()), MALFORMED);
  });

  it('refuses the held-back half of an update sent in the wrong order', () => {
    const client = new Y.Doc();
    client.getMap('shapes').set('evil', new Y.Map());
    const before = Y.encodeStateVector(client);
    const fields = capture(client, () => {
      shapeMap(client, 'evil').set('x', 'abc');
      shapeMap(client, 'evil').set('text', 'y'.repeat(16_000));
    });
    assert.ok(fields.length > 0 && before.length > 0);
    assertRefused(checkUpdate(fields, new Y.Doc()), MALFORMED);
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
      if (verdict.ok) queued.add(verdict.decoded);
    };
    queue(added);
    queue(moved);
    const bad = capture(client, () => shapeMap(client, 's1').set('x', 'abc'));
    assertRefused(checkUpdate(bad, server, undefined, queued), OVER_LIMIT);
    queued.clear();
    assertRefused(checkUpdate(moved, server, undefined, queued), MALFORMED);
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
    const removal = capture(doc, () => removeShapes(doc, ['a', 'c'])); // two separate ranges
    assertOk(checkUpdate(removal, new Y.Doc()));
    assertRefused(
      checkUpdate(removal, new Y.Doc(), { ...DEFAULT_UPDATE_LIMITS, maxDeleteRanges: 1 }),
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
