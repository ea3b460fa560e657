/**
 * trimItemContent (server/room/trim-items.ts) changes how a loaded board's values are held in
 * memory, never the board: the doc encodes to the same bytes, and later edits that split and
 * merge the trimmed items (inserting into the middle of a run of array values, appending to it)
 * end in the same board as on a doc that was never trimmed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, getShapesMap } from '../../common/board/board-doc.ts';
import { trimItemContent } from '../../server/room/trim-items.ts';
import { rect } from '../helpers/shapes.ts';

function loaded(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

describe('trimming a loaded board', () => {
  it('keeps the board byte for byte, and later edits apply as on an untrimmed doc', () => {
    const source = new Y.Doc();
    addShapes(source, [rect('a', 1, 2), rect('b', 3, 4, { text: 'label' })]);
    const points = new Y.Array<number>();
    points.push([1, 2, 3, 4, 5, 6]);
    const pen = new Y.Map<unknown>();
    getShapesMap(source).set('pen', pen);
    pen.set('points', points);
    const state = Y.encodeStateAsUpdate(source);

    const trimmed = loaded(state);
    const untouched = loaded(state);
    assert.ok(trimItemContent(trimmed) > 10, 'the fields and the points were trimmed');
    assert.deepEqual(Y.encodeStateAsUpdate(trimmed), state);

    // Edits made elsewhere: one splits the run of points, one appends to it, one sets a field.
    const editor = loaded(state);
    const before = Y.encodeStateVector(editor);
    const editorPoints = (getShapesMap(editor).get('pen') as Y.Map<unknown>).get(
      'points',
    ) as Y.Array<number>;
    editorPoints.insert(3, [99]);
    editorPoints.push([7, 8]);
    (getShapesMap(editor).get('a') as Y.Map<unknown>).set('x', 50);
    const edits = Y.encodeStateAsUpdate(editor, before);
    // And one made on the trimmed doc itself, which appends to and splits its own items.
    const local = (doc: Y.Doc) =>
      ((getShapesMap(doc).get('pen') as Y.Map<unknown>).get('points') as Y.Array<number>).insert(
        1,
        [42],
      );

    for (const doc of [trimmed, untouched]) {
      doc.clientID = 7;
      local(doc);
      Y.applyUpdate(doc, edits);
    }
    assert.deepEqual(trimmed.toJSON(), untouched.toJSON());
    assert.deepEqual(Y.encodeStateAsUpdate(trimmed), Y.encodeStateAsUpdate(untouched));
  });
});
