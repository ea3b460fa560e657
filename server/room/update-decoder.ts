/**
 * A bounded decoder for the Yjs v1 update format. It reads an update completely, checking every
 * count against both the bytes left and the limits before looping over it, so that no update can
 * make it allocate or work more than its size allows. Yjs's own reader does `new Array(count)`
 * on an untrusted count (a 7-byte update costs it ~200 MB) and recurses without bound into
 * nested `any` values; this one does neither.
 *
 * Grammar (yjs 13: encoding.js readClientsStructRefs, UpdateDecoderV1, Item.js, Content*.js,
 * DeleteSet.js readDeleteSet; lib0 decoding.readAny):
 *   update     = varUint(#sections) { section } deleteSet
 *   section    = varUint(#structs) varUint(client) varUint(clock) { struct }
 *   struct     = info:uint8 ( GC: varUint(len) | Skip: varUint(len) | item )   low 5 bits: 0 GC, 10 Skip
 *   item       = [origin: id if BIT8] [rightOrigin: id if BIT7]
 *                [ if neither: varUint(1) varString(rootName) | varUint(≠1) id(parent) ]
 *                [ if neither and BIT6: varString(parentSub) ] content(info & 31)
 *   id         = varUint(client) varUint(clock)
 *   content    = 1 deleted varUint(len) | 7 type varUint(typeRef) | 8 any varUint(n) { any }
 *                (2 JSON, 3 binary, 4 string, 5 embed, 6 format, 9 doc: refused; 4, 5 and 6
 *                belong to Y.Text and XML, which the board has no place for)
 *   deleteSet  = varUint(#clients) { varUint(client) varUint(#ranges) { varUint(clock) varUint(len) } }
 */
import * as decoding from 'lib0/decoding';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import type { UpdateLimits } from './update-gate.ts';

/** What a struct holds, as far as the gate cares. `map`/`array` are YMap/YArray types. */
export type StructContent = 'gc' | 'skip' | 'deleted' | 'any' | 'map' | 'array';

/**
 * One decoded struct. Absent ids have client -1. `memo` is a slot for the caller's per-struct
 * result (the gate keeps where Yjs will integrate the item there), so it needs no side map.
 */
export class DecodedStruct<M = unknown> {
  readonly client: number;
  readonly clock: number;
  length = 0;
  content: StructContent = 'gc';
  originClient = -1;
  originClock = 0;
  rightClient = -1;
  rightClock = 0;
  /** The root type's name when the item names a root parent, else null. */
  parentName: string | null = null;
  parentClient = -1;
  parentClock = 0;
  parentSub: string | null = null;
  /** The values of `any` content, else null. */
  values: unknown[] | null = null;
  memo: M | undefined = undefined;

  constructor(client: number, clock: number) {
    this.client = client;
    this.clock = clock;
  }
}

export interface DecodedUpdate<M = unknown> {
  /** Each client's structs in clock order (one section per client). */
  clients: Map<number, DecodedStruct<M>[]>;
  structCount: number;
  deleteRangeCount: number;
  /** Per client, the end (last clock + 1) of the furthest range the delete set names. */
  deleteEnds: Map<number, number>;
}

/** Thrown inside the gate to refuse an update; `checkUpdate` turns it into a verdict. */
export class Refusal extends Error {
  readonly close: CloseCode;
  readonly detail: string;
  constructor(close: CloseCode, detail: string) {
    super(detail);
    this.close = close;
    this.detail = detail;
  }
}

export const malformed = (detail: string): Refusal => new Refusal(CLOSE.MALFORMED, detail);
export const overLimit = (detail: string): Refusal => new Refusal(CLOSE.OVER_LIMIT, detail);

// Content refs (Item.js contentRefs) and type refs (ContentType.js typeRefs).
const REF_GC = 0;
const REF_DELETED = 1;
const REF_TYPE = 7;
const REF_ANY = 8;
const REF_SKIP = 10;
const FORBIDDEN_REFS: Record<number, string> = {
  2: 'JSON content',
  3: 'binary content',
  4: 'string content (Y.Text)',
  5: 'embed content',
  6: 'format content',
  9: 'a subdocument',
};
const TYPE_REF_ARRAY = 0;
const TYPE_REF_MAP = 1;
const MAX_TYPE_REF = 6; // 2 YText, 3–6 YXml*: known to Yjs, refused here
const BIT_ORIGIN = 0x80;
const BIT_RIGHT_ORIGIN = 0x40;
const BIT_PARENT_SUB = 0x20;
const BITS_CONTENT = 0x1f;

// Lower bounds on encoded sizes, used to refuse counts that the bytes left cannot hold.
const MIN_SECTION_BYTES = 3;
const MIN_STRUCT_BYTES = 2;
const MIN_RANGE_BYTES = 2;
const MIN_DS_CLIENT_BYTES = 2;
const MAX_UTF8_BYTES_PER_UNIT = 3; // a UTF-16 code unit takes at most 3 bytes of UTF-8
const SHORT_STRING_BYTES = 32;
/** Stateless between calls (no `stream` option), so sharing it holds no mutable state. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Decoder = decoding.Decoder;

const bytesLeft = (d: Decoder): number => d.arr.length - d.pos;

function readByte(d: Decoder): number {
  if (d.pos >= d.arr.length) throw malformed('unexpected end of update');
  return d.arr[d.pos++] as number;
}

/** Reads a count of entries that take at least `minBytes` each and may not exceed `limit`. */
function readCount(d: Decoder, minBytes: number, limit: number, what: string): number {
  const count = decoding.readVarUint(d);
  if (count * minBytes > bytesLeft(d))
    throw malformed(`${what}: ${count} do not fit in the update`);
  if (count > limit) throw overLimit(`${what}: ${count} is over the limit`);
  return count;
}

function readString(d: Decoder, limits: UpdateLimits): string {
  const byteLength = decoding.readVarUint(d);
  if (byteLength > bytesLeft(d)) throw malformed('string runs past the end of the update');
  if (byteLength > limits.maxStringLength * MAX_UTF8_BYTES_PER_UNIT) {
    throw overLimit('string over the length limit');
  }
  const start = d.pos;
  d.pos += byteLength;
  const value = decodeUtf8(d.arr, start, d.pos);
  if (value.length > limits.maxStringLength) throw overLimit('string over the length limit');
  return value;
}

/**
 * Keys and ids are short ASCII, and TextDecoder's per-call cost dominates for them; anything
 * longer or non-ASCII goes through the same fatal UTF-8 decoding Yjs uses (invalid bytes → 1007).
 */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_STRING_BYTES) {
    let ascii = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte >= 0x80) return UTF8.decode(bytes.subarray(start, end));
      ascii += String.fromCharCode(byte);
    }
    return ascii;
  }
  return UTF8.decode(bytes.subarray(start, end));
}

/** lib0's `readAny`, bounded, refusing BigInt and binary values (not data a board holds). */
function readAny(d: Decoder, limits: UpdateLimits, depth: number): unknown {
  const tag = readByte(d);
  switch (tag) {
    case 127:
      return undefined; // a well-formed value; in a shape field it is repaired like any bad one
    case 126:
      return null;
    case 125:
      if (d.pos >= d.arr.length) throw malformed('unexpected end of update');
      return decoding.readVarInt(d);
    // NaN and ±Infinity are well-formed: a shape field holding one is repaired, not refused.
    case 124:
      return decoding.readFloat32(d);
    case 123:
      return decoding.readFloat64(d);
    case 122:
      throw overLimit('BigInt value');
    case 121:
      return false;
    case 120:
      return true;
    case 119:
      return readString(d, limits);
    case 118:
    case 117:
      if (depth >= limits.maxAnyDepth) throw overLimit('value nested too deep');
      return tag === 118 ? readObject(d, limits, depth + 1) : readArray(d, limits, depth + 1);
    case 116:
      throw overLimit('binary value');
    default:
      throw malformed(`unknown value tag ${tag}`);
  }
}

function readObject(d: Decoder, limits: UpdateLimits, depth: number): Record<string, unknown> {
  const count = readCount(d, 2, limits.maxAnyEntries, 'object entries');
  // A null prototype: a key such as `__proto__` is data here, never a prototype change.
  const object: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < count; i++) {
    const key = readString(d, limits);
    object[key] = readAny(d, limits, depth);
  }
  return object;
}

function readArray(d: Decoder, limits: UpdateLimits, depth: number): unknown[] {
  const count = readCount(d, 1, limits.maxAnyEntries, 'array entries');
  const array: unknown[] = [];
  for (let i = 0; i < count; i++) array.push(readAny(d, limits, depth));
  return array;
}

/** Reads an item's content into `struct` (content kind, length, values). */
function readContent(d: Decoder, ref: number, struct: DecodedStruct, limits: UpdateLimits): void {
  switch (ref) {
    case REF_DELETED:
      struct.content = 'deleted';
      struct.length = decoding.readVarUint(d);
      return;
    case REF_ANY: {
      const count = readCount(d, 1, limits.maxAnyEntries, 'values in one item');
      const values: unknown[] = [];
      for (let i = 0; i < count; i++) values.push(readAny(d, limits, 0));
      struct.content = 'any';
      struct.length = count;
      struct.values = values;
      return;
    }
    case REF_TYPE: {
      const typeRef = decoding.readVarUint(d);
      if (typeRef === TYPE_REF_MAP) struct.content = 'map';
      else if (typeRef === TYPE_REF_ARRAY) struct.content = 'array';
      else if (typeRef <= MAX_TYPE_REF) throw overLimit('a Y.Text or Y.Xml type');
      else throw malformed(`unknown type ref ${typeRef}`);
      struct.length = 1;
      return;
    }
    default: {
      const forbidden = FORBIDDEN_REFS[ref];
      if (forbidden !== undefined) throw overLimit(`${forbidden} is not allowed`);
      throw malformed(`unknown content ref ${ref}`);
    }
  }
}

/**
 * Reads an item's origins and parent. A same-client origin or parent at or after the item
 * itself cannot exist when Yjs integrates it (Yjs would throw mid-transaction), so it is refused.
 */
function readItemHeader(
  d: Decoder,
  info: number,
  struct: DecodedStruct,
  limits: UpdateLimits,
): void {
  if (info & BIT_ORIGIN) {
    struct.originClient = decoding.readVarUint(d);
    struct.originClock = decoding.readVarUint(d);
    checkBackReference(struct, struct.originClient, struct.originClock);
  }
  if (info & BIT_RIGHT_ORIGIN) {
    struct.rightClient = decoding.readVarUint(d);
    struct.rightClock = decoding.readVarUint(d);
    checkBackReference(struct, struct.rightClient, struct.rightClock);
  }
  if ((info & (BIT_ORIGIN | BIT_RIGHT_ORIGIN)) !== 0) return;
  if (decoding.readVarUint(d) === 1) {
    struct.parentName = readString(d, limits);
  } else {
    struct.parentClient = decoding.readVarUint(d);
    struct.parentClock = decoding.readVarUint(d);
    checkBackReference(struct, struct.parentClient, struct.parentClock);
  }
  if (info & BIT_PARENT_SUB) struct.parentSub = readString(d, limits);
}

function checkBackReference(struct: DecodedStruct, client: number, clock: number): void {
  if (client === struct.client && clock >= struct.clock) {
    throw malformed('an item refers to itself or to a later item of its own client');
  }
}

function readStruct<M>(
  d: Decoder,
  client: number,
  clock: number,
  limits: UpdateLimits,
): DecodedStruct<M> {
  const info = readByte(d);
  const ref = info & BITS_CONTENT;
  const struct = new DecodedStruct<M>(client, clock);
  if (ref === REF_GC || ref === REF_SKIP) {
    struct.content = ref === REF_GC ? 'gc' : 'skip';
    struct.length = decoding.readVarUint(d);
  } else {
    readItemHeader(d, info, struct, limits);
    readContent(d, ref, struct, limits);
  }
  // Yjs never writes an empty struct, and one would break the clock order lookups rely on.
  if (struct.length < 1) throw malformed('empty struct');
  return struct;
}

function readSections<M>(
  d: Decoder,
  limits: UpdateLimits,
): { clients: Map<number, DecodedStruct<M>[]>; count: number } {
  const clients = new Map<number, DecodedStruct<M>[]>();
  let count = 0;
  const sectionCount = readCount(d, MIN_SECTION_BYTES, Infinity, 'clients');
  for (let s = 0; s < sectionCount; s++) {
    const structCount = readCount(d, MIN_STRUCT_BYTES, limits.maxStructs - count, 'structs');
    const client = decoding.readVarUint(d);
    let clock = decoding.readVarUint(d);
    // Yjs keeps only the last section of a client; checking one and applying another would
    // let an update slip past the gate, and Yjs never writes two, so two are malformed.
    if (clients.has(client)) throw malformed(`client ${client} appears twice`);
    const structs: DecodedStruct<M>[] = [];
    for (let i = 0; i < structCount; i++) {
      const struct = readStruct<M>(d, client, clock, limits);
      structs.push(struct);
      clock += struct.length;
      if (clock > Number.MAX_SAFE_INTEGER) throw malformed('clock overflow');
    }
    clients.set(client, structs);
    count += structCount;
  }
  return { clients, count };
}

function readDeleteSet(
  d: Decoder,
  limits: UpdateLimits,
): { ranges: number; ends: Map<number, number> } {
  let ranges = 0;
  const ends = new Map<number, number>();
  const clientCount = readCount(d, MIN_DS_CLIENT_BYTES, Infinity, 'delete-set clients');
  for (let c = 0; c < clientCount; c++) {
    const client = decoding.readVarUint(d);
    const limit = limits.maxDeleteRanges - ranges;
    const rangeCount = readCount(d, MIN_RANGE_BYTES, limit, 'delete ranges');
    let end = ends.get(client) ?? 0;
    for (let i = 0; i < rangeCount; i++) {
      const clock = decoding.readVarUint(d);
      const length = decoding.readVarUint(d);
      if (clock + length > Number.MAX_SAFE_INTEGER) throw malformed('delete range overflows');
      end = Math.max(end, clock + length);
    }
    if (rangeCount > 0) ends.set(client, end);
    ranges += rangeCount;
  }
  return { ranges, ends };
}

/**
 * Decodes a whole v1 update within `limits`. Throws a `Refusal` for anything it refuses, and may
 * throw lib0's errors (end of array, integer out of range, invalid UTF-8): callers map every
 * other exception to MALFORMED.
 */
export function decodeUpdateBounded<M>(update: Uint8Array, limits: UpdateLimits): DecodedUpdate<M> {
  const d = decoding.createDecoder(update);
  const { clients, count } = readSections<M>(d, limits);
  const deletes = readDeleteSet(d, limits);
  if (bytesLeft(d) !== 0) throw malformed(`${bytesLeft(d)} trailing bytes`);
  return {
    clients,
    structCount: count,
    deleteRangeCount: deletes.ranges,
    deleteEnds: deletes.ends,
  };
}

/** The struct of `structs` (one client, clock order) that holds `clock`, or null. */
export function findStruct<M>(
  structs: readonly DecodedStruct<M>[],
  clock: number,
): DecodedStruct<M> | null {
  let low = 0;
  let high = structs.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const struct = structs[mid] as DecodedStruct<M>;
    if (clock < struct.clock) high = mid - 1;
    else if (clock >= struct.clock + struct.length) low = mid + 1;
    else return struct;
  }
  return null;
}
