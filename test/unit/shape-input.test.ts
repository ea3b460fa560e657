/**
 * The shapes API's checks (common/board/shape-input.ts) and restoring a board to a checkpoint
 * (restoreShapes in common/board/board-doc.ts): only what differs is written, so a concurrent
 * change of another field survives and a no-op restore writes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import {
  addShapes,
  getShapesMap,
  readShape,
  readShapes,
  restoreShapes,
  updateShapes,
} from '../../common/board/board-doc.ts';
import { checkShapePatch, checkShapesBody } from '../../common/board/shape-input.ts';
import { rect } from '../helpers/shapes.ts';

describe('shape input checks', () => {
  it('accepts a minimal shape of each kind and keeps only the fields given', () => {
    const checked = checkShapesBody({
      shapes: [
        { type: 'rect', x: 1, y: 2, width: 3, height: 4 },
        { id: 'line-1', type: 'line', x: 0, y: 0, points: [0, 0, 10, 10] },
      ],
    });
    assert.ok(checked.ok);
    assert.deepEqual(checked.value[0], {
      id: null,
      fields: { type: 'rect', x: 1, y: 2, width: 3, height: 4 },
    });
    assert.equal(checked.value[1]?.id, 'line-1');
  });

  it('names the field and the reason of what it refuses', () => {
    const refused = (body: unknown) => {
      const checked = checkShapesBody(body);
      assert.ok(!checked.ok);
      return [checked.field, checked.reason];
    };
    assert.deepEqual(refused({ shapes: [{ type: 'rect', x: 0, y: 0, width: 1 }] }), [
      'shapes[0].height',
      'is required for a rect',
    ]);
    assert.equal(refused({ shapes: [{ type: 'rect', id: 'a b' }] })[0], 'shapes[0].id');
    assert.equal(
      refused({ shapes: [{ type: 'image', x: 0, y: 0, width: 1, height: 1 }] })[0],
      'shapes[0].assetId',
    );
    assert.equal(
      refused({
        shapes: [
          { id: 'same', type: 'rect', x: 0, y: 0, width: 1, height: 1 },
          { id: 'same', type: 'rect', x: 0, y: 0, width: 1, height: 1 },
        ],
      })[0],
      'shapes[1].id',
    );
    assert.equal(refused([])[0], 'shapes');
  });

  it('checks a patch against the shape it changes', () => {
    const stored = { type: 'rect', x: 0, y: 0, width: 10, height: 10 };
    assert.ok(checkShapePatch({ x: 5, fill: null }, stored, 's').ok);
    const toLine = checkShapePatch({ type: 'line' }, stored, 's');
    assert.ok(!toLine.ok);
    assert.equal(toLine.field, 'points');
    const renamed = checkShapePatch({ id: 'other' }, stored, 's');
    assert.ok(!renamed.ok);
    assert.equal(renamed.field, 'id');
  });
});

describe('restoreShapes', () => {
  it('makes the board equal to the target, writing only what differs', () => {
    const doc = new Y.Doc();
    addShapes(doc, [rect('keep', 0, 0), rect('gone', 10, 10)]);
    const target = readShapes(doc);
    updateShapes(doc, new Map([['keep', { x: 50, text: 'changed' }]]));
    getShapesMap(doc).delete('gone');
    addShapes(doc, [rect('newer', 99, 99)]);
    restoreShapes(doc, target);
    assert.deepEqual(readShapes(doc), target);

    let writes = 0;
    doc.on('update', () => writes++);
    restoreShapes(doc, target);
    assert.equal(writes, 0, 'restoring the same board again writes nothing');
  });

  it('leaves a field the target does not change to a concurrent writer', () => {
    const server = new Y.Doc();
    addShapes(server, [rect('a', 0, 0)]);
    const target = readShapes(server);
    updateShapes(server, new Map([['a', { x: 40 }]]));
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    updateShapes(other, new Map([['a', { text: 'typed meanwhile' }]]));
    restoreShapes(server, target);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(other));
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    assert.equal(readShape(server, 'a')?.x, 0);
    assert.equal(readShape(server, 'a')?.text, 'typed meanwhile');
    assert.deepEqual(readShapes(other), readShapes(server));
  });
});
