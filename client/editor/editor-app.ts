/**
 * Builds the editor from its parts and wires them together: document model → canvas (only
 * the changed shapes), tools ← pointer input and keys, selection → transformer, style panel and
 * presence. Everything is created here, once; no module keeps state of its own.
 */
import type * as Y from 'yjs';
import { BoardModel } from './board-model.ts';
import { Canvas } from './canvas.ts';
import { Clipboard } from './clipboard.ts';
import { Commands } from './commands.ts';
import type { EditorContext } from './editor-context.ts';
import { History } from './history.ts';
import { LaserTrail } from './laser.ts';
import { Keyboard, isTypingTarget } from './keyboard.ts';
import { isDialogOpen } from './ui/dialog.ts';
import { PointerInput } from './pointer-input.ts';
import { Selection } from './selection.ts';
import { StyleDefaults } from './style-defaults.ts';
import { TextEditor, isEditableText } from './text-editor.ts';
import { createTools } from './tools/create-tools.ts';
import type { ToolId, ToolPointer } from './tools/tool.ts';
import { ToolSwitcher } from './tools/tool-switcher.ts';
import { SelectionTransformer } from './transformer.ts';
import { LineHandles, lineHandleKind, selectedLine } from './line-handles.ts';
import { shapeIdOfNode } from '../render/shape-node.ts';
import { Toolbar } from './ui/toolbar.ts';
import { doubleClickAt, installLockHints } from './groups.ts';
import { installCanvasContextMenu, type CanvasMenu } from './ui/context-menu.ts';
import { StylePanel } from './ui/style-panel.ts';
import { ActionsPanel } from './ui/actions-panel.ts';
import { ArrangePanel } from './ui/arrange-panel.ts';
import { shapeInkBounds, unionBounds } from '../../common/render/shape-geometry.ts';
import { Viewport, type Point } from './viewport.ts';
import { openHelpDialog } from './ui/help-dialog.ts';
import { newShape } from './tools/new-shape.ts';
import { AssetImages, attachAssetImages } from '../render/asset-images.ts';
import { ImageInserter, connectImageDrop } from './image-insert.ts';
import { showToast } from './ui/toast.ts';

/** Where the board's assets are (the page knows its board id and token; the editor does not). */
export interface AssetAccess {
  /** `POST` here uploads an image (`/api/boards/<editId>/assets`). */
  uploadUrl(): string;
  /** An asset's URL (with the token in JWT mode). */
  imageUrl(assetId: string): string;
  headers(): Record<string, string>;
}

const DRAWING_TOOLS = new Set<ToolId>([
  'rect',
  'ellipse',
  'line',
  'arrow',
  'pen',
  'text',
  'sticky',
]);

export interface EditorApp {
  editor: EditorContext;
  /** Uploads and places images (drop, paste, the menu's Insert image). */
  images: ImageInserter;
  /** The decoded images the canvas draws; exports draw from them too. */
  assetImages: AssetImages;
  /** An asset's URL (with the token in JWT mode). */
  assetUrl(assetId: string): string;
  commands: Commands;
  pointer: PointerInput;
  /** The pointer's board position while it is over the canvas. */
  pointerOnBoard(): Point | null;
  zoomToFit(): void;
  /** The canvas's right-click menu; `openAt` opens it from other inputs. */
  contextMenu: CanvasMenu;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`editor.html lacks #${id}`);
  return found as T;
}

export function createEditorApp(doc: Y.Doc, localOrigin: object, assets: AssetAccess): EditorApp {
  const editor = createEditorContext(doc, localOrigin);
  const { canvas, viewport, model, textEditor, switcher } = editor;
  const commands = new Commands(editor);
  new SelectionTransformer(editor);
  new LineHandles(editor);
  const zoomToFit = () => viewport.fit(unionBounds(model.all().map(shapeInkBounds)));
  const keyboard = new Keyboard({
    editor,
    commands,
    zoomToFit,
    openHelp: openHelpDialog,
    cancelGesture: () => pointer.cancel(),
    pointerOnBoard: () => hover(),
  });
  const pointer = new PointerInput({
    element: canvas.container,
    viewport,
    activeTool: () => switcher.current,
    isSpaceHeld: () => keyboard.isSpaceHeld,
    onDoubleClick: (at) => switcher.currentId === 'select' && doubleClickAt(editor, at, editTextAt),
  });
  switcher.beforeSwitch = () => pointer.cancel();
  const hover = trackPointer(canvas.container, pointer);
  // Copy and paste in a field or a dialog are that field's, not the board's.
  const typing = () =>
    textEditor.isOpen || isDialogOpen() || isTypingTarget(document.activeElement);
  const assetImages = new AssetImages((assetId) => assets.imageUrl(assetId));
  attachAssetImages(canvas.shapes.layer, assetImages);
  const images = new ImageInserter({
    editor,
    uploadUrl: () => assets.uploadUrl(),
    assetUrl: (assetId) => assets.imageUrl(assetId),
    headers: () => assets.headers(),
    notify: showToast,
  });
  connectImageDrop(canvas.container, (screen) => viewport.toBoard(screen), images);
  new Clipboard(editor, commands, hover, typing, images);
  connectModelToCanvas(editor);
  connectStylePanel(editor, commands);
  const isSelectTool = () => switcher.currentId === 'select';
  installLockHints(editor, isSelectTool);
  const contextMenu = installCanvasContextMenu(editor, commands, isSelectTool);
  return {
    editor,
    commands,
    images,
    assetImages,
    assetUrl: (assetId) => assets.imageUrl(assetId),
    pointer,
    pointerOnBoard: hover,
    zoomToFit,
    contextMenu,
  };
}

function createEditorContext(
  doc: Y.Doc,
  localOrigin: object,
): EditorContext & { switcher: ToolSwitcher } {
  const viewport = new Viewport();
  const canvas = new Canvas(byId<HTMLDivElement>('canvas'), viewport);
  const model = new BoardModel(doc, localOrigin);
  const history = new History(doc, [localOrigin, model.liveOrigin]);
  const textEditor = new TextEditor(byId('text-layer'), model, history, canvas, viewport);
  const selection = new Selection();
  // Picking a drawing tool clears the selection, so Delete never removes a shape the person no
  // longer sees as selected (the select tool's handles are gone by then).
  const pickTool = (id: ToolId) => {
    if (DRAWING_TOOLS.has(id)) selection.clear();
    switcher.set(id);
  };
  const toolbar = new Toolbar(byId('toolbar'), pickTool);
  const switcher = new ToolSwitcher(canvas.container, toolbar);
  const editor = {
    model,
    history,
    selection,
    viewport,
    canvas,
    textEditor,
    laser: new LaserTrail(),
    style: new StyleDefaults(localStorage),
    setTool: pickTool,
    switcher,
  };
  switcher.install(createTools(editor));
  return editor;
}

/** The pointer's board position while it is over the canvas (where pastes land). */
function trackPointer(element: HTMLElement, pointer: PointerInput): () => Point | null {
  let board: Point | null = null;
  element.addEventListener('pointermove', (event) => (board = pointer.toPointer(event).board));
  element.addEventListener('pointerleave', () => (board = null));
  return () => board;
}

/**
 * Draws only what changed, and forgets selected ids that someone else deleted. An empty board
 * shows a hint on how to start.
 */
function connectModelToCanvas({ model, canvas, selection }: EditorContext): void {
  const hint = byId('empty-hint');
  canvas.shapes.apply(model.all());
  hint.hidden = model.size > 0;
  model.onChange(({ upserted, removed }) => {
    canvas.shapes.apply(upserted, removed);
    if (removed.length > 0) selection.retain((id) => model.has(id));
    hint.hidden = model.size > 0;
  });
}

function connectStylePanel(editor: EditorContext, commands: Commands): void {
  const root = byId('style-panel');
  const panel = new StylePanel(root, (change) => commands.applyStyle(change));
  const actions = new ActionsPanel(root, commands);
  const arrange = new ArrangePanel(root, commands);
  const show = () => {
    const selected = editor.model.pick(editor.selection.current);
    const [first] = selected;
    panel.show(first ?? editor.style.current);
    actions.setEnabled(first !== undefined);
    arrange.show(new Set(selected.map((shape) => shape.groupId || shape.id)).size);
  };
  editor.selection.onChange(show);
  editor.style.onChange(show);
  editor.model.onChange(({ upserted }) => {
    if (upserted.some((shape) => editor.selection.has(shape.id))) show();
  });
  show();
}

/**
 * Double-click: edit the text there (a text, a sticky note, a rect's, ellipse's, line's or
 * arrow's label; a selected line's middle handle stands for its line), or start a new text on
 * empty canvas.
 */
function editTextAt(editor: EditorContext, at: ToolPointer): void {
  const hit = editor.canvas.hitTest(at.screen);
  const id = lineHandleKind(hit) ? selectedLine(editor)?.id : shapeIdOfNode(hit);
  const shape = id ? editor.model.get(id) : undefined;
  if (shape && isEditableText(shape)) {
    editor.selection.set([shape.id]);
    editor.textEditor.edit(shape);
  } else if (!shape) {
    const text = newShape('text', at.board, editor.style.current, editor.model.nextTopZ());
    editor.textEditor.edit(text, { isNew: true });
  }
}
