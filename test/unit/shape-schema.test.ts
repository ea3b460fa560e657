import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidFieldValue, parseShape, type Shape } from '../../common/board/shape.ts';

const ASSET = 'a'.repeat(64);

function parse(fields: Record<string, unknown>): Shape | null {
  return parseShape('s1', (name) => fields[name]);
}

describe('shape schema: this round\u2019s fields', () => {
  it('fills the new style fields with their defaults on a shape written before them', () => {
    const shape = parse({ type: 'rect', x: 0, y: 0, width: 10, height: 10 });
    assert.ok(shape);
    assert.equal(shape.strokeStyle, 'solid');
    assert.equal(shape.opacity, 1);
    assert.equal(shape.locked, false);
    assert.equal(shape.textAlign, 'center');
    assert.equal('startId' in shape, false, 'reference fields are absent when not stored');
    assert.equal('groupId' in shape, false);
  });

  it('left-aligns text shapes by default and keeps a stored alignment', () => {
    assert.equal(parse({ type: 'text', x: 0, y: 0, width: 0, height: 0 })?.textAlign, 'left');
    const right = parse({ type: 'ellipse', x: 0, y: 0, width: 5, height: 5, textAlign: 'right' });
    assert.equal(right?.textAlign, 'right');
  });

  it('keeps bindings on lines and arrows only, and treats an empty binding as none', () => {
    const arrow = parse({
      type: 'arrow',
      x: 0,
      y: 0,
      points: [0, 0, 10, 10],
      startId: 'a',
      endId: '',
    });
    assert.equal(arrow?.startId, 'a');
    assert.equal('endId' in (arrow as Shape), false);
    const box = parse({ type: 'rect', x: 0, y: 0, width: 1, height: 1, startId: 'a' });
    assert.equal('startId' in (box as Shape), false, 'a rect has no bound ends');
  });

  it('needs an asset id on an image, and keeps it', () => {
    assert.equal(parse({ type: 'image', x: 0, y: 0, width: 10, height: 10 }), null);
    const image = parse({ type: 'image', x: 0, y: 0, width: 10, height: 10, assetId: ASSET });
    assert.equal(image?.assetId, ASSET);
  });

  it('makes a shape invalid when a new field holds a bad value', () => {
    const base = { type: 'rect', x: 0, y: 0, width: 1, height: 1 };
    for (const bad of [
      { opacity: 1.5 },
      { opacity: Number.NaN },
      { strokeStyle: 'wavy' },
      { textAlign: 'justify' },
      { locked: 'yes' },
      { groupId: 'has space' },
      { assetId: 'ABC' },
    ]) {
      assert.equal(parse({ ...base, ...bad }), null, JSON.stringify(bad));
    }
  });

  it('checks each field value alone, as the update gate and repairs do', () => {
    assert.equal(isValidFieldValue('opacity', 0), true);
    assert.equal(isValidFieldValue('opacity', -0.1), false);
    assert.equal(isValidFieldValue('startId', 'shape_1'), true);
    assert.equal(isValidFieldValue('startId', 'x'.repeat(65)), false);
    assert.equal(isValidFieldValue('assetId', ASSET), true);
    assert.equal(isValidFieldValue('type', 'image'), true);
  });
});
