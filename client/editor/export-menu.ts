/**
 * The file menu's image actions: insert an image (a file picker), export PNG or SVG and copy as
 * PNG, of the whole board or, with "Selected shapes only", of the selection, on white or, with
 * "Transparent background", on nothing. A selected line bound to a shape left out is drawn where
 * its end is now. The options' checkboxes keep the menu open.
 */
import { resolveBoundShape } from '../../common/render/line-ends.ts';
import type { Shape } from '../../common/board/shape.ts';
import type { BoardLocation } from './board-location.ts';
import { byId, type EditorApp } from './editor-app.ts';
import { copyPng, dataUrlOf, exportPng, exportSvg, type ImageExportOptions } from './files.ts';
import { showToast } from './ui/toast.ts';

/** The shapes to export: all, or the selection with its bound ends placed and let go. */
export function shapesToExport(app: EditorApp, selectionOnly: boolean): Shape[] {
  const { model, selection } = app.editor;
  if (!selectionOnly) return model.all();
  const chosen = new Set(selection.current);
  return model
    .all()
    .filter((shape) => chosen.has(shape.id))
    .map((shape) => {
      if (!shape.startId && !shape.endId) return shape;
      const drawn = resolveBoundShape(shape, (id) => model.get(id));
      const keep = (id: string | undefined) => (id && chosen.has(id) ? id : undefined);
      return { ...drawn, startId: keep(shape.startId), endId: keep(shape.endId) };
    });
}

/** Wires the picker and the options; returns the menu actions by `data-action`. */
export function connectExports(
  app: EditorApp,
  board: BoardLocation,
  menu: HTMLElement,
): Record<string, () => void> {
  const picker = byId<HTMLInputElement>('image-input');
  const selectionOnly = byId<HTMLInputElement>('export-selection-only');
  const transparent = byId<HTMLInputElement>('export-transparent');
  for (const option of menu.querySelectorAll('.menu-option'))
    option.addEventListener('click', (event) => event.stopPropagation());
  picker.addEventListener('change', () => {
    const files = [...(picker.files ?? [])];
    picker.value = '';
    if (files.length > 0) void app.images.insertFiles(files, null);
  });

  const chosen = (): Shape[] | null => {
    const shapes = shapesToExport(app, selectionOnly.checked);
    if (shapes.length > 0 || !selectionOnly.checked) return shapes;
    showToast('Nothing is selected: select shapes, or clear "Selected shapes only".');
    return null;
  };
  const options = (): ImageExportOptions => ({
    transparent: transparent.checked,
    images: app.assetImages,
  });
  const name = () => (selectionOnly.checked ? `${board.boardId}-selection` : board.boardId);
  const failed = (what: string) => (error: unknown) =>
    showToast(`Could not ${what}: ${(error as Error).message}`);
  return {
    'insert-image': () => picker.click(),
    'export-png': () => {
      const shapes = chosen();
      if (shapes) exportPng(shapes, name(), options()).catch(failed('export the PNG'));
    },
    'export-svg': () => {
      const shapes = chosen();
      if (shapes)
        exportSvg(shapes, name(), transparent.checked, (assetId) =>
          dataUrlOf(app.assetUrl(assetId)),
        ).catch(failed('export the SVG'));
    },
    'copy-png': () => {
      const shapes = chosen();
      if (shapes)
        copyPng(shapes, options())
          .then(() => showToast('Copied as PNG.'))
          .catch(failed('copy the PNG'));
    },
  };
}
