/**
 * Undo and redo of this person's own edits only: the UndoManager tracks just the local origin,
 * so remote changes are never undone. Every user action starts a new step (`beginStep`), and
 * everything until the next action merges into it, so a whole drag is one undo step however
 * many frames it wrote.
 */
import * as Y from 'yjs';
import { getShapesMap } from '../../common/board/board-doc.ts';

/** Long enough that only beginStep() separates steps, never the clock. */
const CAPTURE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export class History {
  private readonly undoManager: Y.UndoManager;
  private readonly listeners = new Set<() => void>();

  /** `origins`: this tab's (the local one, and the live one of shapes being drawn). */
  constructor(doc: Y.Doc, origins: readonly object[]) {
    this.undoManager = new Y.UndoManager(getShapesMap(doc), {
      trackedOrigins: new Set(origins),
      captureTimeout: CAPTURE_TIMEOUT_MS,
    });
  }

  /** The next local change opens a new undo step. */
  beginStep(): void {
    this.undoManager.stopCapturing();
  }

  /**
   * Forgets the step in progress, once its changes have been taken back (a gesture abandoned
   * with Escape or a lost connection: its shape was added live, then removed), so undo does
   * not hold an empty step.
   */
  discardStep(): void {
    this.undoManager.undoStack.pop();
    this.undoManager.stopCapturing();
    for (const listener of this.listeners) listener();
  }

  undo(): void {
    this.undoManager.undo();
    this.undoManager.stopCapturing();
  }

  redo(): void {
    this.undoManager.redo();
    this.undoManager.stopCapturing();
  }

  canUndo(): boolean {
    return this.undoManager.canUndo();
  }

  canRedo(): boolean {
    return this.undoManager.canRedo();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
    for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const) {
      this.undoManager.on(event, listener);
    }
  }
}
