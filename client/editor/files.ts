/**
 * Files: export the board as PNG (2×), SVG (the renderer behind the server's `.svg`, so both
 * match) or JSON, and import JSON. An import accepts our export, a snapshot from
 * `GET /api/boards/<id>`, or a bare array of shapes; every valid shape is added with a new id,
 * above the board, keeping its order. Values past the documented limits are brought within
 * them as the server would repair them (a 20,000-character text is cut to 10,000); entries that
 * still make no shape are skipped.
 */
import { newShapeId } from '../../common/board/ids.ts';
import { applyFieldEdits, planShapeRepair } from '../../common/board/repair.ts';
import { comparePaintOrder, parseShape, type Shape } from '../../common/board/shape.ts';
import { renderShapesToCanvas } from '../render/render-image.ts';
import { renderBoardSvg } from '../../common/render/svg-render.ts';

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

export async function exportPng(shapes: readonly Shape[], name: string): Promise<void> {
  const canvas = renderShapesToCanvas(shapes, { pixelRatio: PNG_PIXEL_RATIO });
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob) download(`${name}.png`, blob);
}

export function exportSvg(shapes: readonly Shape[], name: string): void {
  download(`${name}.svg`, new Blob([renderBoardSvg(shapes)], { type: 'image/svg+xml' }));
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
