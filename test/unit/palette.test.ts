/**
 * The dark palette (client/render/palette.ts): board colours are drawn through the CSS filter
 * `invert(93%) hue-rotate(180deg)`, computed; light leaves them alone; the shape itself keeps
 * the document's colours.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayColor, displayShape, parseColor } from '../../client/render/palette.ts';
import { rect } from '../helpers/shapes.ts';

describe('palette', () => {
  it('leaves every colour alone in light', () => {
    for (const color of ['#1e1e1e', 'transparent', 'rgb(1, 2, 3)', 'hotpink'])
      assert.equal(displayColor(color, 'light'), color);
  });

  it('turns dark ink light and white into the dark canvas colour', () => {
    assert.equal(displayColor('#1e1e1e', 'dark'), 'rgb(211, 211, 211)');
    assert.equal(displayColor('#ffffff', 'dark'), 'rgb(18, 18, 18)');
    assert.equal(displayColor('#000', 'dark'), 'rgb(237, 237, 237)');
  });

  it('keeps hues recognisable: red stays reddish, a pale blue fill becomes a deep blue', () => {
    const [r, g, b] = channels(displayColor('#e03131', 'dark'));
    assert.ok(r > g + 80 && r > b + 80, `red stays red: ${r},${g},${b}`);
    const [br, bg, bb] = channels(displayColor('#a5d8ff', 'dark'));
    assert.ok(bb > br && bb > 60 && br + bg + bb < 3 * 128, `deep blue: ${br},${bg},${bb}`);
  });

  it('keeps alpha and leaves transparent and unknown colours as they are', () => {
    assert.equal(displayColor('rgba(255, 255, 255, 0.5)', 'dark'), 'rgba(18, 18, 18, 0.5)');
    assert.equal(displayColor('#ffffff80', 'dark'), 'rgba(18, 18, 18, 0.502)');
    assert.equal(displayColor('transparent', 'dark'), 'transparent');
    assert.equal(displayColor('hotpink', 'dark'), 'hotpink');
    assert.equal(parseColor('#12'), null);
    assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
  });

  it('maps a copy of the shape; the document shape keeps its colours', () => {
    const shape = rect('a', 0, 0, { stroke: '#1e1e1e', fill: '#ffffff' });
    const drawn = displayShape(shape, 'dark');
    assert.equal(drawn.stroke, 'rgb(211, 211, 211)');
    assert.equal(drawn.fill, 'rgb(18, 18, 18)');
    assert.equal(shape.stroke, '#1e1e1e');
    assert.equal(displayShape(shape, 'light'), shape);
  });

  it('draws a sticky note with the default (transparent) fill in the dark yellow', () => {
    const sticky = rect('s', 0, 0, { type: 'sticky', fill: 'transparent' });
    assert.equal(displayShape(sticky, 'dark').fill, displayColor('#fff3a0', 'dark'));
  });
});

function channels(color: string): [number, number, number] {
  const [r = NaN, g = NaN, b = NaN] = (color.match(/\d+/g) ?? []).map(Number);
  return [r, g, b];
}
