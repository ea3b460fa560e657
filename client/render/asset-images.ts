/**
 * The decoded images of board assets, for the Konva renderers (editor, viewer, PNG export). A
 * layer gets them with `attachAssetImages(layer, images)`; an image shape's node finds them on
 * its layer when it draws (shape-node.ts), draws a frame until its image has loaded, and the
 * layer is drawn again when it has. One load per asset id, however many shapes show it.
 *
 *   const images = new AssetImages((assetId) => session.withToken(assetPath(boardId, assetId)));
 *   attachAssetImages(shapes.layer, images);
 */
import type Konva from 'konva';

export const ASSET_IMAGES_ATTR = 'boardcastAssetImages';

type LoadState = { element: HTMLImageElement; state: 'loading' | 'ready' | 'failed' };

export class AssetImages {
  private readonly loads = new Map<string, LoadState>();
  private readonly waiting = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  /** `urlOf` names where an asset is (its URL, with a token in JWT mode, or a data URL). */
  constructor(private readonly urlOf: (assetId: string) => string) {}

  /** The decoded image, or null while it loads (listeners hear when it arrives) or if it failed. */
  get(assetId: string): HTMLImageElement | null {
    const load = this.loads.get(assetId) ?? this.start(assetId);
    return load.state === 'ready' ? load.element : null;
  }

  /** Whether the asset failed to load (no such asset, or not an image). */
  failed(assetId: string): boolean {
    return this.loads.get(assetId)?.state === 'failed';
  }

  /** Called after each image loads or fails; returns the unsubscribe. */
  onLoad(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once each of these assets has loaded or failed (before an export draws them). */
  async ready(assetIds: Iterable<string>): Promise<void> {
    const pending = [...new Set(assetIds)].map((assetId) => {
      this.get(assetId);
      return this.waiting.get(assetId) ?? Promise.resolve();
    });
    await Promise.all(pending);
  }

  private start(assetId: string): LoadState {
    const element = new Image();
    const load: LoadState = { element, state: 'loading' };
    this.loads.set(assetId, load);
    this.waiting.set(
      assetId,
      new Promise<void>((resolve) => {
        const settle = (state: 'ready' | 'failed') => {
          load.state = state;
          this.waiting.delete(assetId);
          resolve();
          for (const listener of [...this.listeners]) listener();
        };
        element.onload = () => settle('ready');
        element.onerror = () => settle('failed');
      }),
    );
    element.decoding = 'async';
    element.src = this.urlOf(assetId);
    return load;
  }
}

/** Lets the layer's image shapes draw from `images`, and redraws the layer as they load. */
export function attachAssetImages(layer: Konva.Layer, images: AssetImages): () => void {
  layer.setAttr(ASSET_IMAGES_ATTR, images);
  return images.onLoad(() => layer.batchDraw());
}

export function assetImagesOf(node: Konva.Node): AssetImages | null {
  const images: unknown = node.getLayer()?.getAttr(ASSET_IMAGES_ATTR);
  return images instanceof AssetImages ? images : null;
}
