/**
 * Where the items of an update will land, resolved the way Yjs will resolve them, without
 * applying anything. Yjs applies a room's queued updates before a new one, so what an item
 * depends on is looked up in the document, then in the queued updates, then in the update
 * itself. Anything found nowhere is recorded as a need (the state a client must reach) and the
 * item is unresolved: the room holds the update until the board has what it needs.
 */
import * as Y from 'yjs';
import { BOARD_LAYOUT } from '../../common/board/board-doc.ts';
import type { QueuedStructs } from './queued-structs.ts';
import { DecodedStruct, findStruct, type DecodedUpdate } from './update-decoder.ts';

/**
 * Where an item is integrated: under a root type, under the type held by another item, nowhere
 * (Yjs turns it into a GC struct), or not known yet (it depends on something missing, or on
 * itself through a cycle). Items that inherit their parent share the link.
 */
export type Link =
  | { kind: 'root'; name: string; key: string | null }
  | { kind: 'type'; parent: Node; key: string | null }
  | { kind: 'detached' }
  | { kind: 'unresolved' };

/** A struct the gate can look at: one of the update's or the queue's, or one in the doc. */
export type Struct = DecodedStruct<Link>;
export type Node = Struct | Y.Item | Y.GC;
type NodeContent = Struct['content'] | 'type' | 'other';

/** What a room keeps of the updates it accepted but has not applied: see queued-structs.ts. */
export type GateQueue = QueuedStructs<Link>;

/** What holds an item, in terms of the board's layout (common/board/board-doc.ts). */
export type Container = 'shapes' | 'shape' | 'other-root' | 'free';

const DETACHED: Link = Object.freeze({ kind: 'detached' });
const UNRESOLVED: Link = Object.freeze({ kind: 'unresolved' });
/** Marks an origin chain being walked, so a cycle resolves as unresolved instead of looping. */
const IN_PROGRESS: Link = Object.freeze({ kind: 'unresolved' });

function isDecoded(node: Node): node is Struct {
  return node instanceof DecodedStruct;
}

function isLink(value: Node | Link): value is Link {
  return 'kind' in value;
}

/** A client's state (its next clock) in the doc, extended by the queued updates that follow on. */
export function knownState(doc: Y.Doc, queued: GateQueue | undefined, client: number): number {
  const state = Y.getState(doc.store, client);
  return queued ? queued.coverageFrom(client, state) : state;
}

/**
 * Resolves parents the way Yjs's `Item.getMissing` does. Links are memoised in each decoded
 * struct's `memo` slot (cheaper than a map over 100,000 structs), and in a map for doc items.
 */
export class ParentResolver {
  /** Per client, the state the board must reach for an unresolved item to resolve. */
  readonly needs = new Map<number, number>();
  private readonly docLinks = new Map<Y.Item | Y.GC, Link>();
  private readonly shapesRoot: unknown; // compared by identity only

  constructor(
    private readonly doc: Y.Doc,
    private readonly update: DecodedUpdate<Link>,
    private readonly queued: GateQueue | undefined,
  ) {
    // `share.get`, not `getMap`: reading must not create the root.
    this.shapesRoot = doc.share.get(BOARD_LAYOUT.rootName);
  }

  need(client: number, state: number): void {
    this.needs.set(client, Math.max(state, this.needs.get(client) ?? 0));
  }

  /** The struct holding (client, clock): in the doc, the queue or the update, in Yjs's order. */
  lookup(client: number, clock: number): Node | null {
    const known = this.doc.store.clients.get(client);
    const last = known?.[known.length - 1];
    if (known && last && clock < last.id.clock + last.length) {
      return known[Y.findIndexSS(known, clock)] ?? null;
    }
    const queued = this.queued?.find(client, clock) ?? null;
    if (queued !== null && queued.content !== 'skip') return queued;
    const structs = this.update.clients.get(client);
    const own = structs ? findStruct(structs, clock) : null;
    if (own !== null && own.content !== 'skip') return own;
    this.need(client, clock + 1);
    return null;
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
    if (link.kind === 'root') return link.name === BOARD_LAYOUT.rootName ? 'shapes' : 'other-root';
    if (link.kind !== 'type') return 'free';
    const up = this.linkOf(link.parent);
    const inShapes = up.kind === 'root' && up.name === BOARD_LAYOUT.rootName;
    return inShapes && this.contentOf(link.parent) === BOARD_LAYOUT.shapeContent ? 'shape' : 'free';
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
    if (struct.parentName !== null)
      return { kind: 'root', name: struct.parentName, key: struct.parentSub };
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
  if (parent._item === null) {
    // A root type: the doc only ever has `shapes` (the gate refuses any other).
    const name = parent === shapesRoot ? BOARD_LAYOUT.rootName : '';
    return { kind: 'root', name, key: node.parentSub };
  }
  return { kind: 'type', parent: parent._item, key: node.parentSub };
}
