/**
 * The editor model's group index (client/editor/board-model.ts): a group's shapes come from an
 * index kept in step with the document, so selecting a group never walks the whole board.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { BoardModel } from '../../client/editor/board-model.ts';
import { rect } from '../helpers/shapes.ts';

const ids = (model: BoardModel, groupId: string) =>
  model
    .groupShapes(groupId)
    .map((shape) => shape.id)
    .sort();

describe('board model groups', () => {
  it('follows shapes joining, leaving and deleted, from this tab and from others', () => {
    const doc = new Y.Doc();
    const model = new BoardModel(doc, {});
    model.add([rect('a', 0, 0, { groupId: 'g' }), rect('b', 0, 0, { groupId: 'g' }), rect('c')]);
    assert.deepEqual(ids(model, 'g'), ['a', 'b']);
    model.update(new Map([['c', { groupId: 'g' }]]));
    model.update(new Map([['a', { groupId: 'h' }]]));
    assert.deepEqual(ids(model, 'g'), ['b', 'c']);
    assert.deepEqual(ids(model, 'h'), ['a']);
    model.remove(['b']);
    assert.deepEqual(ids(model, 'g'), ['c']);

    // Someone else's edit, and a board loaded with groups already in it.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const otherModel = new BoardModel(other, {});
    otherModel.update(new Map([['c', { groupId: 'h' }]]));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    assert.deepEqual(ids(model, 'g'), []);
    assert.deepEqual(ids(model, 'h'), ['a', 'c']);
    assert.deepEqual(ids(new BoardModel(other, {}), 'h'), ['a', 'c']);
  });
});
