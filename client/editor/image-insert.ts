/**
 * Images onto the board: a dropped, pasted or picked PNG, JPEG, GIF or WebP is uploaded as a
 * board asset (`POST /api/boards/<editId>/assets`, contract: "Board assets") and placed as an
 * `image` shape at its natural size, scaled down to fit the view, centred where it was dropped
 * (or in the middle of the view). Several files are placed side by side, each a step further.
 * Anything else, or a refused upload, says why in a toast and changes nothing.
 */
import { sniffAssetType } from '../../common/board/asset-format.ts';
import type { Shape } from '../../common/board/shape.ts';
import type { EditorContext } from './editor-context.ts';
import { newShape } from './tools/new-shape.ts';
import type { Point } from './viewport.ts';

/** Share of the visible board a new image may cover at most. */
const FIT_SHARE = 0.8;
/** Board units between images placed together. */
const STACK_OFFSET = 32;

export interface ImageInsertOptions {
  editor: EditorContext;
  /** The upload URL of the board now (its edit id can change when the link is reset). */
  uploadUrl(): string;
  /** An asset's URL on this board (with the token in JWT mode). */
  assetUrl(assetId: string): string;
  /** Authorization in JWT mode. */
  headers(): Record<string, string>;
  notify(message: string): void;
}

export class ImageInserter {
  constructor(private readonly options: ImageInsertOptions) {}

  /** Whether a drag or paste carries files (what `insertFiles` will look at). */
  static hasFiles(data: DataTransfer | null): boolean {
    return !!data && [...data.types].includes('Files');
  }

  /** Uploads and places each image file; `at` in board coordinates (null: the view's centre). */
  async insertFiles(files: readonly File[], at: Point | null): Promise<Shape[]> {
    const placed: Shape[] = [];
    const centre = at ?? this.viewCentre();
    for (const file of files) {
      const shape = await this.insertFile(file, {
        x: centre.x + placed.length * STACK_OFFSET,
        y: centre.y + placed.length * STACK_OFFSET,
      });
      if (shape) placed.push(shape);
    }
    if (placed.length > 0) {
      this.options.editor.setTool('select');
      this.options.editor.selection.set(placed.map((shape) => shape.id));
    }
    return placed;
  }

  /**
   * Where this board's assets can be fetched from by another board of this server (or another
   * server: assets are readable from any origin), for a copy: absolute, without the token.
   */
  sourcesOf(shapes: readonly Shape[]): Record<string, string> {
    const sources: Record<string, string> = {};
    for (const shape of shapes) {
      if (shape.type !== 'image' || !shape.assetId) continue;
      const url = new URL(this.options.assetUrl(shape.assetId), window.location.href);
      url.searchParams.delete('token');
      sources[shape.assetId] = url.href;
    }
    return sources;
  }

  /**
   * Makes sure this board has the assets of pasted image shapes: each one it lacks is fetched from
   * where it was copied and uploaded here (an asset id is its content's hash, so the shapes keep
   * theirs). One that cannot be had is left: its shape shows a frame.
   */
  async adoptAssets(sources: Readonly<Record<string, unknown>>): Promise<void> {
    await Promise.all(
      Object.entries(sources).map(async ([assetId, source]) => {
        if (typeof source !== 'string' || !/^https?:/.test(source)) return;
        try {
          const here = await fetch(this.options.assetUrl(assetId), { method: 'HEAD' });
          if (here.ok) return;
          const response = await fetch(source);
          if (!response.ok) return;
          const blob = await response.blob();
          await this.upload(new File([blob], 'copied', { type: blob.type }));
        } catch {
          // unreachable: the shape shows its frame
        }
      }),
    );
  }

  private async insertFile(file: File, centre: Point): Promise<Shape | null> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!sniffAssetType(bytes)) {
      this.options.notify(`${file.name || 'This file'} is not a PNG, JPEG, GIF or WebP image.`);
      return null;
    }
    const size = await naturalSize(file);
    if (!size) {
      this.options.notify(`${file.name || 'This image'} could not be read.`);
      return null;
    }
    const assetId = await this.upload(file);
    if (!assetId) return null;
    const { width, height } = this.fitted(size);
    const { editor } = this.options;
    const shape = newShape(
      'image',
      { x: centre.x - width / 2, y: centre.y - height / 2, width, height, assetId },
      editor.style.current,
      editor.model.nextTopZ(),
    );
    editor.history.beginStep();
    editor.model.add([shape]);
    return shape;
  }

  private async upload(file: File): Promise<string | null> {
    let response: Response;
    try {
      response = await fetch(this.options.uploadUrl(), {
        method: 'POST',
        headers: {
          'content-type': file.type || 'application/octet-stream',
          ...this.options.headers(),
        },
        body: file,
      });
    } catch {
      this.options.notify('Could not upload the image: the server cannot be reached.');
      return null;
    }
    const answer = (await response.json().catch(() => ({}))) as {
      assetId?: string;
      error?: string;
    };
    if (response.ok && answer.assetId) return answer.assetId;
    this.options.notify(`Could not add the image: ${answer.error ?? `error ${response.status}`}.`);
    return null;
  }

  /** The natural size, scaled down (never up) to fit FIT_SHARE of the visible board. */
  private fitted(size: { width: number; height: number }): { width: number; height: number } {
    const view = this.options.editor.viewport.visibleBounds();
    const scale = Math.min(
      1,
      (view.width * FIT_SHARE) / size.width,
      (view.height * FIT_SHARE) / size.height,
    );
    return {
      width: Math.max(1, Math.round(size.width * scale)),
      height: Math.max(1, Math.round(size.height * scale)),
    };
  }

  private viewCentre(): Point {
    const { viewport } = this.options.editor;
    return viewport.toBoard(viewport.center());
  }
}

async function naturalSize(file: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size.width > 0 && size.height > 0 ? size : null;
  } catch {
    return null;
  }
}

/** Image files dropped on the canvas are inserted where they land. */
export function connectImageDrop(
  container: HTMLElement,
  toBoard: (screen: Point) => Point,
  inserter: ImageInserter,
): void {
  container.addEventListener('dragover', (event) => {
    if (!ImageInserter.hasFiles(event.dataTransfer)) return;
    event.preventDefault(); // allows the drop
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  container.addEventListener('drop', (event) => {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault(); // the browser would open the file instead
    const rect = container.getBoundingClientRect();
    const at = toBoard({ x: event.clientX - rect.left, y: event.clientY - rect.top });
    void inserter.insertFiles(files, at);
  });
}
