/**
 * The resize/rotate handles around the selection (a Konva.Transformer on the overlay). Konva
 * scales and rotates the shape groups live; on release the result is written to the board as
 * one undo step: sizes and points take the scale, text scales its font, and the group's scale
 * goes back to 1 when the board update redraws it. Meanwhile the lines and arrows bound to the
 * shapes being transformed are redrawn to follow them, on this screen (others see the result).
 * The dragged handle snaps to other shapes' edges and centres (resize-snap.ts).
 */
import Konva from 'konva';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { clamp } from '../../common/board/repair.ts';
import { POINT_SHAPE_TYPES, type Shape, type ShapeFields } from '../../common/board/shape.ts';
import type { EditorContext } from './editor-context.ts';
import { selectedLine } from './line-handles.ts';
import { installResizeSnapping } from './resize-snap.ts';
import { measureText } from './text-measure.ts';

const ACCENT = '#4c6ef5';
const MIN_SIZE_PX = 4;
/** A text shrunk by the handles stops at this font size (readable, and above the limit's 1). */
const MIN_TEXT_FONT_SIZE = 4;

export class SelectionTransformer {
  private readonly transformer: Konva.Transformer;

  constructor(private readonly editor: EditorContext) {
    this.transformer = new Konva.Transformer({
      rotateEnabled: true,
      flipEnabled: false,
      keepRatio: false,
      ignoreStroke: true,
      borderStroke: ACCENT,
      anchorStroke: ACCENT,
      anchorSize: 9,
      anchorCornerRadius: 2,
      rotationSnaps: [0, 45, 90, 135, 180, 225, 270, 315],
      rotationSnapTolerance: 4,
      boundBoxFunc: (oldBox, newBox) => (collapses(oldBox, newBox) ? oldBox : newBox),
    });
    editor.canvas.overlay.add(this.transformer);
    installResizeSnapping(editor, this.transformer);
    this.transformer.on('transformstart', () => editor.history.beginStep());
    this.transformer.on('transform', () => this.previewBoundLines());
    this.transformer.on('transformend', () => this.commit());
    editor.selection.onChange(() => this.attach());
    editor.textEditor.onOpenChange(() => this.attach());
    editor.model.onChange(({ upserted, removed }) => {
      const selected = new Set(editor.selection.current);
      if ([...upserted.map((s) => s.id), ...removed].some((id) => selected.has(id))) this.attach();
    });
  }

  /** Re-reads the selection's nodes (after selection or shape changes). */
  attach(): void {
    const { selection, canvas, textEditor } = this.editor;
    // A lone line or arrow has end and bend handles instead (line-handles.ts).
    const ids = (selectedLine(this.editor) ? [] : selection.current).filter(
      (id) => id !== textEditor.editingId,
    );
    // Their nodes stay in the layer while culled, so the handles keep the stage's transform.
    canvas.shapes.pin(ids);
    const nodes = ids
      .map((id) => canvas.shapes.getNode(id))
      .filter((node): node is Konva.Group => node !== undefined);
    this.transformer.nodes(nodes);
    this.transformer.forceUpdate();
    canvas.overlay.batchDraw();
  }

  /** Bound lines follow the shapes as the handles resize and rotate them (drawn only). */
  private previewBoundLines(): void {
    const { model, canvas } = this.editor;
    const transformed = new Map<string, Shape>();
    for (const node of this.transformer.nodes()) {
      const shape = model.get(node.id());
      if (shape) transformed.set(shape.id, { ...shape, ...transformedFields(shape, node) });
    }
    canvas.shapes.redrawBoundLines(transformed);
  }

  private commit(): void {
    const changes = new Map<string, Partial<ShapeFields>>();
    for (const node of this.transformer.nodes()) {
      const shape = this.editor.model.get(node.id());
      if (shape) changes.set(shape.id, transformedFields(shape, node));
    }
    this.editor.model.update(changes);
    this.attach();
  }
}

/**
 * Whether a resize would shrink the box below the minimum. A box already that thin (a
 * horizontal line) may still be resized along its other side.
 */
function collapses(
  oldBox: { width: number; height: number },
  newBox: { width: number; height: number },
): boolean {
  const shrinks = (before: number, after: number) =>
    Math.abs(after) < MIN_SIZE_PX && Math.abs(after) < Math.abs(before);
  return shrinks(oldBox.width, newBox.width) || shrinks(oldBox.height, newBox.height);
}

/** The fields of `shape` after its node was scaled and rotated by the transformer. */
function transformedFields(shape: Shape, node: Konva.Node): Partial<ShapeFields> {
  const sx = Math.abs(node.scaleX());
  const sy = Math.abs(node.scaleY());
  const placed = { x: tidy(node.x()), y: tidy(node.y()), rotation: tidy(node.rotation()) };
  if (POINT_SHAPE_TYPES.includes(shape.type)) {
    const points = shape.points.map((value, i) => tidy(value * (i % 2 === 0 ? sx : sy)));
    return { ...placed, points };
  }
  if (shape.type === 'text') {
    // Kept within the documented font sizes, and measured at the size that is written.
    const scaled = Math.round(shape.fontSize * Math.max(sx, sy));
    const fontSize = clamp(scaled, MIN_TEXT_FONT_SIZE, SHAPE_LIMITS.MAX_FONT_SIZE);
    return { ...placed, fontSize, ...measureText(shape.text, fontSize) };
  }
  return { ...placed, width: tidy(shape.width * sx), height: tidy(shape.height * sy) };
}

/** Hundredths are finer than anyone can see, and keep float noise (219.99999…) out of the board. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}
