/**
 * Files: export the board (or the selected shapes) as PNG (2×, on white or transparent), SVG
 * (the renderer behind the server's `.svg`, so both match; images embedded as data URLs, so the
 * file stands alone) or JSON, copy it as a PNG to the clipboard, and import JSON. An import accepts our export, a snapshot from
 * `GET /api/boards/<id>`, or a bare array of shapes; every valid shape is added with a new id,
 * above the board, keeping its order. Values past the documented limits are brought within
 * them as the server would repair them (a 20,000-character text is cut to 10,000); entries that
 * still make no shape are skipped.
 */
import { newShapeId } from '../../common/board/ids.ts';
import { applyFieldEdits, planShapeRepair } from '../../common/board/repair.ts';
import { comparePaintOrder, parseShape, type Shape } from '../../common/board/shape.ts';
import { renderShapesToCanvas } from '../render/render-image.ts';
import { SVG_BACKGROUND, renderBoardSvg } from '../../common/render/svg-render.ts';
import type { AssetImages } from '../render/asset-images.ts';

export const EXPORT_FORMAT = 'boardcast';
export const EXPORT_VERSION = 1;
export const PNG_PIXEL_RATIO = 2;

export function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface ImageExportOptions {
  /** No background: what is not drawn stays transparent. */
  transparent: boolean;
  /** The images image shapes draw (loaded before drawing). */
  images: AssetImages;
}

const assetIdsOf = (shapes: readonly Shape[]): string[] =>
  shapes.flatMap((shape) => (shape.type === 'image' && shape.assetId ? [shape.assetId] : []));

/** The shapes as a PNG, images loaded and drawn. */
export async function pngOf(
  shapes: readonly Shape[],
  { transparent, images }: ImageExportOptions,
): Promise<Blob> {
  await images.ready(assetIdsOf(shapes));
  const canvas = renderShapesToCanvas(shapes, {
    pixelRatio: PNG_PIXEL_RATIO,
    background: transparent ? null : '#ffffff',
    images,
  });
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the image is too large to encode');
  return blob;
}

export async function exportPng(
  shapes: readonly Shape[],
  name: string,
  options: ImageExportOptions,
): Promise<void> {
  download(`${name}.png`, await pngOf(shapes, options));
}

/**
 * Copies the shapes as a PNG to the clipboard. The item is handed over at once with the PNG to
 * come, so the click that asked for it still counts as the person's gesture.
 */
export async function copyPng(
  shapes: readonly Shape[],
  options: ImageExportOptions,
): Promise<void> {
  if (!navigator.clipboard || typeof ClipboardItem === 'undefined')
    throw new Error('this browser cannot put images on the clipboard here');
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': pngOf(shapes, options) })]);
}

/** `assetData` gives an asset as a data URL (null: draw a frame in its place). */
export async function exportSvg(
  shapes: readonly Shape[],
  name: string,
  transparent: boolean,
  assetData: (assetId: string) => Promise<string | null>,
): Promise<void> {
  const ids = [...new Set(assetIdsOf(shapes))];
  const data = new Map(
    await Promise.all(ids.map(async (id) => [id, await assetData(id)] as const)),
  );
  const svg = renderBoardSvg(shapes, {
    assetHref: (assetId) => data.get(assetId) ?? null,
    background: transparent ? null : SVG_BACKGROUND,
  });
  download(`${name}.svg`, new Blob([svg], { type: 'image/svg+xml' }));
}

/** An asset's bytes as a data URL, fetched from `url`; null when it cannot be had. */
export async function dataUrlOf(url: string): Promise<string | null> {
  try {
    const response = await fetch(url);
    if (!response.ok) return null;
    const blob = await response.blob();
    return await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
      reader.readAsDataURL(blob);
    });
  } catch {
    return null;
  }
}

export function exportJson(shapes: readonly Shape[], name: string): void {
  const data = { type: EXPORT_FORMAT, version: EXPORT_VERSION, shapes };
  download(`${name}.json`, new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
}

/** The valid shapes in an imported document, with new ids and z from `baseZ` up, in order. */
export function shapesFromJson(text: string, baseZ: number): Shape[] {
  const data: unknown = JSON.parse(text);
  const list = Array.isArray(data) ? data : (data as { shapes?: unknown } | null)?.shapes;
  if (!Array.isArray(list)) throw new Error('no shapes in this file');
  const parsed: { shape: Shape; originalId: string }[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const stored = entry as Record<string, unknown>;
    const { edits, outcome } = planShapeRepair(stored);
    if (outcome !== 'valid') continue;
    const fields = applyFieldEdits(stored, edits);
    const shape = parseShape(newShapeId(), (name) => fields[name]);
    if (shape) parsed.push({ shape, originalId: String(stored.id ?? '') });
  }
  // Paint order as the file had it: z, then the file's ids (the new ids are random).
  const inFileOrder = parsed.sort(
    (a, b) =>
      a.shape.z - b.shape.z ||
      comparePaintOrder({ ...a.shape, id: a.originalId }, { ...b.shape, id: b.originalId }),
  );
  return inFileOrder.map(({ shape }, i) => ({ ...shape, z: baseZ + i }));
}
