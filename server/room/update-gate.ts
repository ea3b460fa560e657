/**
 * The update gate (contract: "Every update is decoded whole and checked before it touches the
 * board"). `checkUpdate` decodes an update completely with the bounded decoder and gives one of
 * three verdicts:
 *
 *   refuse   an attack or a broken client, refused whole, its sender closed: it does not decode
 *            (1007), it is over a limit that guards memory and CPU (1008, 1009), it carries
 *            binary content, BigInt, subdocuments, Y.Text or XML (1008), it writes outside the
 *            layout (common/board/board-doc.ts BOARD_LAYOUT: a root other than `shapes`, an
 *            entry of `shapes` that is not a Y.Map under a valid shape id, an unkeyed entry in a
 *            shape; 1008), or its items depend on each other in a cycle (1007);
 *   hold     it builds on structs or deletes clocks the board does not have yet (a client edits
 *            what it made offline the moment its socket opens, before its own sync step 2): the
 *            room keeps it until the board has them, then checks it again, whole;
 *   accept   everything it depends on is in the doc, in the queued updates or in itself.
 *
 * Field values are not the gate's business: a well-formed shape edit with a bad value is
 * accepted and the room repairs the shape once it is applied (common/board/repair.ts). The gate
 * only reads `doc` and `queued`; it never applies anything.
 *
 * What counts as a dependency, as Yjs sees it: an item's origin, right origin and parent; the
 * clocks before an item of the same client (a section that starts past the client's state, or
 * a struct after a skip); and every clock a delete-set range names (Yjs keeps a delete of
 * clocks it lacks pending forever). An update the gate accepts never leaves the doc with
 * pending structs or deletes.
 */
import type * as Y from 'yjs';
import { BOARD_LAYOUT } from '../../common/board/board-doc.ts';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import {
  knownState,
  ParentResolver,
  type GateQueue,
  type Link,
  type Struct,
} from './gate-resolver.ts';
import {
  decodeUpdateBounded,
  malformed,
  overLimit,
  Refusal,
  type DecodedUpdate,
} from './update-decoder.ts';

export type { GateQueue } from './gate-resolver.ts';
/** An update as the gate decoded it, for the room's queue. */
export type GateDecoded = DecodedUpdate<Link>;
/** Per client, the state (next clock) the board must reach before an update can be applied. */
export type StateNeeds = ReadonlyMap<number, number>;

export type GateVerdict =
  | { kind: 'accept'; decoded: GateDecoded }
  | { kind: 'hold'; needs: StateNeeds }
  | { kind: 'refuse'; close: CloseCode; detail: string };

export interface UpdateLimits {
  maxUpdateBytes: number;
  maxStructs: number;
  maxDeleteRanges: number;
  maxStringLength: number;
  maxAnyDepth: number;
  maxAnyEntries: number;
}

/**
 * Limits that guard memory and CPU. They sit far above anything the documented shape limits let
 * an honest client write (common/board/limits.ts), so that an over-long text or point list is
 * cut by a repair rather than refused; only an attacker or a broken client reaches them.
 */
export const DEFAULT_UPDATE_LIMITS: Readonly<UpdateLimits> = Object.freeze({
  /**
   * Bytes of one update (8 MiB, as the default frame limit MAX_MESSAGE_BYTES, which usually
   * bites first); over → 1009 TOO_BIG. Large enough that a client's whole offline backlog, which
   * the stock provider sends as one sync step 2, still gets through.
   */
  maxUpdateBytes: 8 * 1024 * 1024,
  /** Structs (items, GC and skip runs) in one update, all clients together (a shape field is
   * about 20 bytes, so 8 MiB of shapes is ~400,000); over → 1008. */
  maxStructs: 400_000,
  /** Ranges in the update's delete set, all clients together; over → 1008. */
  maxDeleteRanges: 400_000,
  /** UTF-16 code units of any one string (values, keys): 100 times the text limit; over → 1008. */
  maxStringLength: 100 * SHAPE_LIMITS.MAX_TEXT_LENGTH,
  /** Nesting of arrays/objects inside one value (a points list is depth 1); over → 1008. */
  maxAnyDepth: 16,
  /** Entries of one array or object, and values in one item: 10 times a full points list; over → 1008. */
  maxAnyEntries: 10 * SHAPE_LIMITS.MAX_POINT_NUMBERS,
});

function describe(struct: Struct): string {
  return `item ${struct.client}:${struct.clock}`;
}

/** Checks where one item lands against BOARD_LAYOUT; throws a Refusal when it may not. */
function checkPlacement(resolver: ParentResolver, struct: Struct): void {
  if (struct.content === 'gc' || struct.content === 'skip') return;
  const link = resolver.linkOf(struct);
  if (link.kind === 'unresolved') return; // held, or a cycle (see checkUpdate)
  const key = link.kind === 'root' || link.kind === 'type' ? link.key : null;
  switch (resolver.containerOf(link)) {
    case 'other-root':
      throw overLimit(
        `${describe(struct)}: only the ${BOARD_LAYOUT.rootName} map may be used at the root`,
      );
    case 'shapes':
      if (!BOARD_LAYOUT.isShapeKey(key))
        throw overLimit(`${describe(struct)}: invalid shape id under ${BOARD_LAYOUT.rootName}`);
      if (struct.content !== BOARD_LAYOUT.shapeContent && struct.content !== 'deleted')
        throw overLimit(`${describe(struct)}: shape ${key} is not a Y.Map`);
      return;
    case 'shape':
      if (key === null) throw overLimit(`${describe(struct)}: a shape entry without a field name`);
      return;
    case 'free':
      return;
  }
}

/**
 * Records what the update's own clocks depend on: each client's section must follow on from
 * what the board has (doc, then queue), and each delete range must name clocks that exist once
 * the update is applied. Yjs leaves anything else pending.
 */
function checkContinuity(
  resolver: ParentResolver,
  decoded: GateDecoded,
  doc: Y.Doc,
  queued: GateQueue | undefined,
): void {
  const after = new Map<number, number>();
  for (const [client, structs] of decoded.clients) {
    let coverage = knownState(doc, queued, client);
    for (const struct of structs) {
      if (struct.content === 'skip') continue;
      if (struct.clock > coverage) {
        resolver.need(client, struct.clock);
        break;
      }
      coverage = Math.max(coverage, struct.clock + struct.length);
    }
    after.set(client, coverage);
  }
  for (const [client, end] of decoded.deleteEnds) {
    const state = after.get(client) ?? knownState(doc, queued, client);
    if (end > state) resolver.need(client, end);
  }
}

/**
 * Whether `update` (Yjs v1) may be applied to `doc` after the updates in `queued`. Never throws:
 * anything that fails to decode is MALFORMED (1007), anything over a limit or against the layout
 * OVER_LIMIT (1008), and an update longer than `maxUpdateBytes` TOO_BIG (1009).
 */
export function checkUpdate(
  update: Uint8Array,
  doc: Y.Doc,
  limits: UpdateLimits = DEFAULT_UPDATE_LIMITS,
  queued?: GateQueue,
): GateVerdict {
  if (update.byteLength > limits.maxUpdateBytes) {
    const detail = `update of ${update.byteLength} bytes is over ${limits.maxUpdateBytes}`;
    return { kind: 'refuse', close: CLOSE.TOO_BIG, detail };
  }
  try {
    const decoded = decodeUpdateBounded<Link>(update, limits);
    const resolver = new ParentResolver(doc, decoded, queued);
    let unresolved = false;
    for (const structs of decoded.clients.values()) {
      for (const struct of structs) {
        checkPlacement(resolver, struct);
        unresolved ||= struct.memo?.kind === 'unresolved';
      }
    }
    checkContinuity(resolver, decoded, doc, queued);
    if (resolver.needs.size > 0) return { kind: 'hold', needs: resolver.needs };
    // Unresolved with nothing missing: items that depend on each other, which Yjs never integrates.
    if (unresolved) throw malformed('items depend on each other in a cycle');
    return { kind: 'accept', decoded };
  } catch (error) {
    if (error instanceof Refusal)
      return { kind: 'refuse', close: error.close, detail: error.detail };
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'refuse',
      close: CLOSE.MALFORMED,
      detail: `update does not decode: ${message}`,
    };
  }
}

/** Whether the board now has what a held update needed (it must still be checked again). */
export function needsMet(needs: StateNeeds, doc: Y.Doc, queued: GateQueue | undefined): boolean {
  for (const [client, state] of needs) if (knownState(doc, queued, client) < state) return false;
  return true;
}
