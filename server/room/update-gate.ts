/**
 * The update gate (contract: "Every update is checked whole before it touches the board").
 * `checkUpdate` decodes an update completely with the bounded decoder, then checks that every
 * item lands where the document layout allows (common/board/board-doc.ts):
 *   - at the root only under `shapes`, keyed by a valid shape id, holding a Y.Map;
 *   - in a shape's Y.Map, known fields hold values `isValidFieldValue` accepts (`points` may
 *     also be a Y.Array of coordinates); unknown fields hold any bounded JSON-like value.
 * The gate only reads `doc`; it never applies anything. What an item depends on must be in the
 * doc, in the update itself, or in `queued` (accepted updates not applied yet); anything else is
 * refused, because Yjs would hold it pending and integrate it later, unchecked.
 */
import * as Y from 'yjs';
import { SHAPES_MAP_NAME } from '../../common/board/board-doc.ts';
import { isValidShapeId } from '../../common/board/ids.ts';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import { isValidFieldValue, SHAPE_FIELD_NAMES } from '../../common/board/shape.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import type { QueuedStructs } from './queued-structs.ts';
import {
  DecodedStruct,
  decodeUpdateBounded,
  findStruct,
  malformed,
  overLimit,
  Refusal,
  type DecodedUpdate,
} from './update-decoder.ts';

export type GateVerdict =
  { ok: true; decoded: DecodedUpdate<Link> } | { ok: false; close: CloseCode; detail: string };

/** What a room keeps of the updates it accepted but has not applied: see queued-structs.ts. */
export type GateQueue = QueuedStructs<Link>;
/** An update as the gate decoded it, for the room's queue. */
export type GateDecoded = DecodedUpdate<Link>;

export interface UpdateLimits {
  maxUpdateBytes: number;
  maxStructs: number;
  maxDeleteRanges: number;
  maxStringLength: number;
  maxAnyDepth: number;
  maxAnyEntries: number;
}

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
  /** UTF-16 code units of any one string (values, keys, text content); over → 1008. */
  maxStringLength: 16_384,
  /** Nesting of arrays/objects inside one value (a points list is depth 1); over → 1008. */
  maxAnyDepth: 16,
  /** Entries of one array or object, and values in one item (fits a full points list); over → 1008. */
  maxAnyEntries: SHAPE_LIMITS.MAX_POINT_NUMBERS,
});

const KNOWN_FIELDS: ReadonlySet<string> = new Set(SHAPE_FIELD_NAMES);
const POINTS_FIELD = 'points';

/** A struct the gate can look at: one of the update's, or one already in the doc. */
type Struct = DecodedStruct<Link>;
type Node = Struct | Y.Item | Y.GC;
type NodeContent = Struct['content'] | 'type' | 'other';

/**
 * Where an item is integrated, as Yjs will resolve it: under a root type, under the type held
 * by another item, nowhere (Yjs turns it into a GC struct), or not yet known (Yjs holds it as
 * pending until what it depends on arrives). Items that inherit their parent share the link.
 */
type Link =
  | { kind: 'root'; shapes: boolean; key: string | null }
  | { kind: 'type'; parent: Node; key: string | null }
  | { kind: 'detached' }
  | { kind: 'unresolved' };

const DETACHED: Link = Object.freeze({ kind: 'detached' });
const UNRESOLVED: Link = Object.freeze({ kind: 'unresolved' });
/** Marks an origin chain being walked, so a cycle resolves as unresolved instead of looping. */
const IN_PROGRESS: Link = Object.freeze({ kind: 'unresolved' });

/**
 * What an item's container is in the board's layout. `free` covers places with no layout rule:
 * inside an unknown field's nested type, detached items and unresolved (pending) parents.
 */
type Container = 'shapes' | 'shape' | 'points' | 'other-root' | 'free';

function isDecoded(node: Node): node is Struct {
  return node instanceof DecodedStruct;
}

/**
 * Resolves parents the way Yjs's `Item.getMissing` does. Links are memoised in each decoded
 * struct's `memo` slot (cheaper than a map over 100,000 structs), and in a map for doc items.
 */
class ParentResolver {
  private readonly docLinks = new Map<Y.Item | Y.GC, Link>();
  private readonly doc: Y.Doc;
  private readonly update: DecodedUpdate<Link>;
  private readonly shapesRoot: unknown; // compared by identity only
  constructor(
    doc: Y.Doc,
    update: DecodedUpdate<Link>,
    private readonly queued: GateQueue | undefined,
  ) {
    this.doc = doc;
    this.update = update;
    // `share.get`, not `getMap`: reading must not create the root.
    this.shapesRoot = doc.share.get(SHAPES_MAP_NAME);
  }

  /**
   * The struct holding (client, clock), or null when neither the doc nor the update has it. The
   * doc wins for clocks it already has, because Yjs skips that part of an update.
   */
  lookup(client: number, clock: number): Node | null {
    const known = this.doc.store.clients.get(client);
    const last = known?.[known.length - 1];
    if (known && last && clock < last.id.clock + last.length) {
      return known[Y.findIndexSS(known, clock)] ?? null;
    }
    const structs = this.update.clients.get(client);
    const struct = structs ? findStruct(structs, clock) : null;
    if (struct !== null) return struct.content === 'skip' ? null : struct;
    return this.lookupQueued(client, clock);
  }

  /** The struct in the room's queued updates, or null. */
  private lookupQueued(client: number, clock: number): Node | null {
    const struct = this.queued?.find(client, clock) ?? null;
    return struct === null || struct.content === 'skip' ? null : struct;
  }

  contentOf(node: Node): NodeContent {
    if (isDecoded(node)) return node.content;
    if (node instanceof Y.GC) return 'gc';
    const content = node.content;
    if (content instanceof Y.ContentType) {
      if (content.type instanceof Y.Map) return 'map';
      return content.type instanceof Y.Array ? 'array' : 'type';
    }
    return content instanceof Y.ContentDeleted ? 'deleted' : 'other';
  }

  /** The link of `node`, following inherited parents through origins iteratively. */
  linkOf(node: Node): Link {
    const chain: Struct[] = [];
    let current: Node = node;
    let link: Link;
    for (;;) {
      if (!isDecoded(current)) {
        link = this.docLinkOf(current);
        break;
      }
      if (current.memo !== undefined) {
        link = current.memo === IN_PROGRESS ? UNRESOLVED : current.memo;
        break;
      }
      const next = this.ownLink(current) ?? this.inheritedFrom(current);
      if (isLink(next)) {
        link = current.memo = next;
        break;
      }
      current.memo = IN_PROGRESS;
      chain.push(current);
      current = next;
    }
    for (const struct of chain) struct.memo = link;
    return link;
  }

  /** What `link` puts its item in, in terms of the board layout. */
  containerOf(link: Link): Container {
    if (link.kind === 'root') return link.shapes ? 'shapes' : 'other-root';
    if (link.kind !== 'type') return 'free';
    const content = this.contentOf(link.parent);
    const up = this.linkOf(link.parent);
    if (content === 'map' && isShapesRoot(up)) return 'shape';
    if (
      content === 'array' &&
      up.kind === 'type' &&
      up.key === POINTS_FIELD &&
      this.contentOf(up.parent) === 'map' &&
      isShapesRoot(this.linkOf(up.parent))
    ) {
      return 'points';
    }
    return 'free';
  }

  private docLinkOf(node: Y.Item | Y.GC): Link {
    let link = this.docLinks.get(node);
    if (link === undefined) {
      link = docLink(node, this.shapesRoot);
      this.docLinks.set(node, link);
    }
    return link;
  }

  /** The link an item states itself (a root name or a parent id), or null when it inherits. */
  private ownLink(struct: Struct): Link | null {
    if (struct.parentName !== null) {
      const shapes = struct.parentName === SHAPES_MAP_NAME;
      return { kind: 'root', shapes, key: struct.parentSub };
    }
    if (struct.parentClient < 0) return null;
    const parent = this.lookup(struct.parentClient, struct.parentClock);
    if (parent === null) return UNRESOLVED;
    const content = this.contentOf(parent);
    // Yjs turns an item whose parent id holds no type into a GC struct.
    if (content !== 'map' && content !== 'array' && content !== 'type') return DETACHED;
    return { kind: 'type', parent, key: struct.parentSub };
  }

  /** The node whose parent and key an item inherits (its origin, else its right origin). */
  private inheritedFrom(struct: Struct): Node | Link {
    const left =
      struct.originClient >= 0 ? this.lookup(struct.originClient, struct.originClock) : null;
    const right =
      struct.rightClient >= 0 ? this.lookup(struct.rightClient, struct.rightClock) : null;
    if (
      (struct.originClient >= 0 && left === null) ||
      (struct.rightClient >= 0 && right === null)
    ) {
      return UNRESOLVED;
    }
    if ((left && this.contentOf(left) === 'gc') || (right && this.contentOf(right) === 'gc')) {
      return DETACHED;
    }
    return (left ?? right) as Node;
  }
}

/** The link of an item already integrated in the doc. */
function docLink(node: Y.Item | Y.GC, shapesRoot: unknown): Link {
  if (node instanceof Y.GC) return DETACHED;
  const parent = node.parent;
  if (!(parent instanceof Y.AbstractType)) return DETACHED;
  if (parent._item === null)
    return { kind: 'root', shapes: parent === shapesRoot, key: node.parentSub };
  return { kind: 'type', parent: parent._item, key: node.parentSub };
}

function isLink(value: Node | Link): value is Link {
  return 'kind' in value;
}

function isShapesRoot(link: Link): boolean {
  return link.kind === 'root' && link.shapes;
}

function describe(struct: Struct): string {
  return `item ${struct.client}:${struct.clock}`;
}

function checkShapeEntry(struct: Struct, key: string | null): void {
  if (!isValidShapeId(key)) throw overLimit(`${describe(struct)}: invalid shape id under shapes`);
  if (struct.content !== 'map' && struct.content !== 'deleted') {
    throw overLimit(`${describe(struct)}: shape ${key} is not a Y.Map`);
  }
}

function checkShapeField(struct: Struct, name: string | null): void {
  if (name === null) throw overLimit(`${describe(struct)}: a shape entry without a field name`);
  if (!KNOWN_FIELDS.has(name) || struct.content === 'deleted') return;
  if (struct.content === 'array' && name === POINTS_FIELD) return;
  if (struct.content !== 'any')
    throw overLimit(`${describe(struct)}: field ${name} holds a ${struct.content}`);
  for (const value of struct.values ?? []) {
    if (!isValidFieldValue(name, value))
      throw overLimit(`${describe(struct)}: invalid value for ${name}`);
  }
}

function checkPointEntry(struct: Struct, key: string | null): void {
  if (key !== null) throw overLimit(`${describe(struct)}: a keyed entry in points`);
  if (struct.content === 'deleted') return;
  if (struct.content !== 'any')
    throw overLimit(`${describe(struct)}: points holds a ${struct.content}`);
  const max = SHAPE_LIMITS.MAX_COORDINATE;
  for (const value of struct.values ?? []) {
    if (typeof value !== 'number' || !(Math.abs(value) <= max)) {
      throw overLimit(`${describe(struct)}: invalid point coordinate`);
    }
  }
}

/**
 * Checks where one item lands. An item whose parent is in neither the doc, the update nor the
 * queued updates is refused: Yjs would hold it pending and integrate it, unchecked, once a later
 * update supplied what it lacks. Honest clients never send one: the server relays only what it
 * has applied, so whatever a client builds on is on the server already.
 */
function checkPlacement(resolver: ParentResolver, struct: Struct): void {
  if (struct.content === 'gc' || struct.content === 'skip') return;
  const link = resolver.linkOf(struct);
  if (link.kind === 'unresolved') {
    throw malformed(`${describe(struct)}: depends on items the server does not have`);
  }
  const key = link.kind === 'root' || link.kind === 'type' ? link.key : null;
  switch (resolver.containerOf(link)) {
    case 'other-root':
      throw overLimit(`${describe(struct)}: only the shapes map may be used at the root`);
    case 'shapes':
      return checkShapeEntry(struct, key);
    case 'shape':
      return checkShapeField(struct, key);
    case 'points':
      return checkPointEntry(struct, key);
    case 'free':
      return;
  }
}

/**
 * Whether `update` (Yjs v1) may be applied to `doc`. Never throws: anything that fails to decode
 * is MALFORMED (1007), anything over a limit or against the layout is OVER_LIMIT (1008), and an
 * update longer than `maxUpdateBytes` is TOO_BIG (1009).
 */
export function checkUpdate(
  update: Uint8Array,
  doc: Y.Doc,
  limits: UpdateLimits = DEFAULT_UPDATE_LIMITS,
  queued?: GateQueue,
): GateVerdict {
  if (update.byteLength > limits.maxUpdateBytes) {
    const detail = `update of ${update.byteLength} bytes is over ${limits.maxUpdateBytes}`;
    return { ok: false, close: CLOSE.TOO_BIG, detail };
  }
  try {
    const decoded = decodeUpdateBounded<Link>(update, limits);
    const resolver = new ParentResolver(doc, decoded, queued);
    for (const structs of decoded.clients.values()) {
      for (const struct of structs) checkPlacement(resolver, struct);
    }
    return { ok: true, decoded };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, close: error.close, detail: error.detail };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, close: CLOSE.MALFORMED, detail: `update does not decode: ${message}` };
  }
}
