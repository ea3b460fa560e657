/** Images are recognised by their bytes (common/board/asset-format.ts) and drawn in the SVG. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetPath, sniffAssetType } from '../../common/board/asset-format.ts';
import type { Shape } from '../../common/board/shape.ts';
import { renderBoardSvg } from '../../common/render/svg-render.ts';
import { GIF_1PX, JPEG_1PX, WEBP_1PX, pngImage, sha256Hex } from '../helpers/images.ts';
import { rect } from '../helpers/shapes.ts';

describe('sniffAssetType', () => {
  it('knows PNG, JPEG, GIF and WebP by their first bytes', () => {
    assert.equal(sniffAssetType(pngImage(1, 1, [0, 0, 0])), 'image/png');
    assert.equal(sniffAssetType(JPEG_1PX), 'image/jpeg');
    assert.equal(sniffAssetType(GIF_1PX), 'image/gif');
    assert.equal(sniffAssetType(WEBP_1PX), 'image/webp');
  });

  it('refuses everything else, truncated headers and look-alikes included', () => {
    const refused = [
      '',
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '<html>',
      'GIF88a',
      '\x89PNG',
      'RIFF\0\0\0\0WAVE',
      'BM',
    ];
    for (const text of refused)
      assert.equal(sniffAssetType(Buffer.from(text, 'latin1')), null, text);
    assert.equal(sniffAssetType(new Uint8Array([0xff, 0xd8])), null);
  });
});

describe('images in the SVG', () => {
  const assetId = sha256Hex(GIF_1PX);
  const image: Shape = {
    ...rect('picture', 10, 20),
    type: 'image',
    width: 30,
    height: 40,
    assetId,
  };

  it('links the asset where a URL is given, and draws a frame where none is', () => {
    const linked = renderBoardSvg([image], { assetHref: (id) => assetPath('view-1', id) });
    assert.match(
      linked,
      new RegExp(`<image href="/api/boards/view-1/assets/${assetId}" width="30" height="40"`),
    );
    const framed = renderBoardSvg([image]);
    assert.doesNotMatch(framed, /<image/);
    assert.match(framed, /<g data-id="picture"[^>]*><rect width="30" height="40"/);
  });

  it('leaves the background out when asked for transparency', () => {
    const withBackground = renderBoardSvg([image]);
    const transparent = renderBoardSvg([image], { background: null });
    assert.equal((withBackground.match(/<rect /g) ?? []).length, 2);
    assert.equal((transparent.match(/<rect /g) ?? []).length, 1);
  });
});
