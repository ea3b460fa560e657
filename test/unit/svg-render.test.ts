/** The board as SVG: drawn as the editor draws it, every text escaped, the viewBox fitted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Shape } from '../../common/board/shape.ts';
import { STICKY, arrowHeadPoints, penOutlinePath } from '../../common/render/shape-geometry.ts';
import {
  escapeXml,
  renderBoardSvg,
  shapeToSvg,
  SVG_MARGIN,
} from '../../common/render/svg-render.ts';
import { rect } from '../helpers/shapes.ts';

function viewBox(svg: string): number[] {
  return (/viewBox="([^"]+)"/.exec(svg)?.[1] ?? '').split(' ').map(Number);
}

describe('renderBoardSvg', () => {
  it('escapes text so board content never becomes markup', () => {
    const svg = renderBoardSvg([
      { ...rect('t'), type: 'text', width: 0, text: '<script>alert(1)</script>' },
    ]);
    assert.ok(!svg.includes('<script'), svg);
    assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  it('drops characters XML forbids, so the image always parses', () => {
    assert.equal(escapeXml('a\u0000b\u0007c\uD800d\uFFFEe'), 'abcde');
    assert.equal(escapeXml(`"'&<>`), '&quot;&#39;&amp;&lt;&gt;');
    assert.equal(escapeXml('emoji 🎉 stays'), 'emoji 🎉 stays');
  });

  it('fits the viewBox to the ink of every shape, with a margin', () => {
    const svg = renderBoardSvg([
      rect('a', -200, -100),
      { ...rect('b', 1_000, 500), strokeWidth: 10 },
    ]);
    const [x, y, width, height] = viewBox(svg);
    assert.ok(x! <= -200 - SVG_MARGIN && y! <= -100 - SVG_MARGIN);
    assert.ok(x! + width! >= 1_100 + 5 + SVG_MARGIN && y! + height! >= 550 + 5 + SVG_MARGIN);
    assert.ok(
      x! > -200 - SVG_MARGIN - 10 && x! + width! < 1_100 + SVG_MARGIN + 10,
      'not much more',
    );
  });

  it('gives an empty board a small blank image', () => {
    assert.deepEqual(viewBox(renderBoardSvg([])), [
      -SVG_MARGIN,
      -SVG_MARGIN,
      100 + 2 * SVG_MARGIN,
      100 + 2 * SVG_MARGIN,
    ]);
  });

  it('keeps paint order: later shapes are drawn on top', () => {
    const svg = renderBoardSvg([rect('under'), rect('over')]);
    assert.ok(svg.indexOf('data-id="under"') < svg.indexOf('data-id="over"'));
  });
});

describe('shapeToSvg', () => {
  it('places and rotates a shape about its origin, as the editor does', () => {
    const svg = shapeToSvg({ ...rect('r', 10, 20), rotation: 30 });
    assert.match(svg, /transform="translate\(10 20\) rotate\(30\)"/);
    assert.match(
      svg,
      /<rect width="100" height="50" rx="8" ry="8" fill="transparent" stroke="#1e1e1e" stroke-width="2"\/>/,
    );
  });

  it('draws an ellipse inscribed in its box', () => {
    assert.match(
      shapeToSvg({ ...rect('e'), type: 'ellipse' }),
      /<ellipse cx="50" cy="25" rx="50" ry="25"/,
    );
  });

  it('draws an arrow with the shared arrow head', () => {
    const arrow: Shape = { ...rect('a'), type: 'arrow', points: [0, 0, 100, 0] };
    const head = arrowHeadPoints(arrow.points, arrow.strokeWidth);
    const svg = shapeToSvg(arrow);
    assert.equal(svg.match(/<polyline/g)?.length, 2);
    assert.ok(
      svg.includes(
        `points="${Math.round(head[0]! * 100) / 100},${Math.round(head[1]! * 100) / 100} 100,0`,
      ),
      svg,
    );
  });

  it('fills the perfect-freehand outline of a pen stroke', () => {
    const pen: Shape = {
      ...rect('p'),
      type: 'pen',
      stroke: '#2f9e44',
      points: [0, 0, 10, 10, 30, 5],
    };
    const svg = shapeToSvg(pen);
    assert.ok(svg.includes(`d="${penOutlinePath(pen.points, pen.strokeWidth)}"`));
    assert.match(svg, /fill="#2f9e44"/);
  });

  it('gives a sticky its default colour, shadow and centred text', () => {
    const svg = renderBoardSvg([
      { ...rect('s'), type: 'sticky', width: 200, height: 200, text: 'note' },
    ]);
    assert.ok(svg.includes(`fill="${STICKY.DEFAULT_FILL}"`));
    assert.match(svg, /<feDropShadow/);
    // One line, centred both ways in the note: its middle at (100, 100).
    assert.ok(svg.includes('text-anchor="middle"'), svg);
    assert.ok(svg.includes('<tspan x="100" y="100">note</tspan>'), svg);
  });

  it('draws rect and ellipse labels centred, wrapped inside the outline, aligned as asked', () => {
    const label = { width: 200, height: 100, text: 'a label long enough to wrap twice' };
    const boxSvg = shapeToSvg({ ...rect('r'), ...label });
    assert.ok((boxSvg.match(/<tspan/g)?.length ?? 0) >= 2, boxSvg);
    assert.match(boxSvg, /text-anchor="middle"/);
    const left = shapeToSvg({ ...rect('r'), ...label, textAlign: 'left' });
    assert.match(left, /text-anchor="start"/);
    assert.match(left, /<tspan x="8"/); // the rect's label padding
    const ellipse = shapeToSvg({ ...rect('e'), ...label, type: 'ellipse' });
    // Wrapped narrower: inside the inscribed rectangle (200 / √2 ≈ 141 wide).
    assert.ok((ellipse.match(/<tspan/g)?.length ?? 0) >= 3, ellipse);
    assert.match(ellipse, /<tspan x="100"/);
  });

  it('draws an arrow label at its middle, on a box of the background colour', () => {
    const svg = shapeToSvg({
      ...rect('a'),
      type: 'arrow',
      width: 0,
      height: 0,
      points: [0, 0, 200, 0, 200, 200],
      text: 'yes',
    });
    assert.match(svg, /<rect [^>]*fill="#ffffff"/);
    // Halfway along the 400-unit path: the corner (200, 0).
    assert.ok(svg.includes('<tspan x="200"'), svg);
  });

  it('wraps text at the shape width and keeps line breaks', () => {
    const svg = shapeToSvg({
      ...rect('t'),
      type: 'text',
      width: 120,
      fontSize: 20,
      text: 'one two three four\nfive',
    });
    assert.ok((svg.match(/<tspan/g)?.length ?? 0) >= 3, svg);
    assert.ok(svg.includes('>five</tspan>'));
  });
});
