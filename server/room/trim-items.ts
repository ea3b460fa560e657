/**
 * Makes a freshly loaded board smaller in memory without changing it. Yjs decodes every value
 * of a map entry into a ContentAny whose array was built by `push` onto `[]`, so V8 gives it
 * room for 17 values: about 150 bytes of backing store for the one value a shape field holds.
 * On a board of shapes (maps of small fields) that is about a third of the heap of a loaded
 * board (measured: 100,000 shapes, 1.8 million items, 22.0× → 16.5× the encoded size). Each
 * such array is replaced by an exact-size copy of itself: same values, same order, so Yjs
 * (which reads, splices and concatenates these arrays) sees no difference.
 *
 * Run once when a board loads, where nearly all of its items are decoded at once; items that
 * arrive later keep their spare room until the next load (an edited board is loaded again after
 * every grace period without holders, or restart). Linear in the items: ~0.3 s per 100,000
 * shapes, against ~4 s to apply them.
 */
import * as Y from 'yjs';

/** Replaces every ContentAny array of `doc` by an exact-size copy; returns how many. */
export function trimItemContent(doc: Y.Doc): number {
  let trimmed = 0;
  for (const structs of doc.store.clients.values()) {
    for (const struct of structs) {
      if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
      const { arr } = struct.content;
      // An array literal is allocated at its exact size; slice() too, a little slower.
      struct.content.arr = arr.length === 1 ? [arr[0]] : arr.slice();
      trimmed++;
    }
  }
  return trimmed;
}
