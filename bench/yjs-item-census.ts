/**
 * What one loaded Yjs item is made of on the heap: a child process loads a board of bench shapes
 * into a Y.Doc as Boardcast does (applyUpdate, then the exact-size value arrays of
 * trim-items.ts), takes a heap snapshot before and after, and sums V8's own size of each kind of
 * object per item. Any server that holds the board as a Y.Doc pays these parts; the big-board
 * scenario prints them beside the heap ratio it measures.
 *
 *   const parts = await yjsItemCensus(20_000);   // { itemB, idB, valueB, … } bytes per item
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import * as Y from 'yjs';
import { addShapes } from '../common/board/board-doc.ts';
import { trimItemContent } from '../server/room/trim-items.ts';
import { benchShape } from './clients/lean-writer.ts';
import { heapBytesByKind } from './heap-census.ts';
import { itemsPerShape } from './scenarios/board-seed.ts';

export interface ItemCensus {
  /** Encoded bytes per item (the board's update ÷ its items). */
  encodedB: number;
  /** Heap bytes per item, by part; `totalB` is their sum. */
  itemB: number;
  idB: number;
  /** The value's holder (ContentAny and its one-element array) and a number's heap box. */
  valueB: number;
  /** Key strings and string values. */
  stringsB: number;
  /** Hash tables of the maps and the struct lists (nameless V8 arrays). */
  tablesB: number;
  /** Each shape's Y.Map, its JS Map, event handlers and ContentType, shared by its items. */
  mapsB: number;
  otherB: number;
  totalB: number;
}

const CHILD_FLAG = '--yjs-item-census';
const CHILD_TIMEOUT_MS = 120_000;

/** Runs the census in a fresh process (nothing else on its heap); resolves with its parts. */
export function yjsItemCensus(shapes: number): Promise<ItemCensus> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, CHILD_FLAG, String(shapes)],
    { stdio: ['ignore', 'pipe', 'inherit'], timeout: CHILD_TIMEOUT_MS },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ItemCensus);
      else reject(new Error(`the Yjs item census exited with ${code}`));
    });
  });
}

async function snapshotKinds(label: string): Promise<Map<string, number>> {
  (globalThis as { gc?: () => void }).gc?.();
  const file = path.join(os.tmpdir(), `boardcast-census-${process.pid}-${label}.heapsnapshot`);
  v8.writeHeapSnapshot(file);
  try {
    return await heapBytesByKind(file);
  } finally {
    await rm(file, { force: true });
  }
}

function encodedBoard(shapes: number): Uint8Array {
  const doc = new Y.Doc();
  addShapes(
    doc,
    Array.from({ length: shapes }, (_, index) => benchShape(`s${index}`, index)),
  );
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

async function runChild(shapes: number): Promise<ItemCensus> {
  // The encoded board is on the heap in both snapshots: only the doc is counted.
  const state = encodedBoard(shapes);
  const before = await snapshotKinds('before');
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  trimItemContent(doc);
  const after = await snapshotKinds('after');
  const items = shapes * itemsPerShape();
  const grown = (kinds: string[]) =>
    kinds.reduce((sum, kind) => sum + (after.get(kind) ?? 0) - (before.get(kind) ?? 0), 0) / items;
  const parts = {
    itemB: grown(['object:Item']),
    idB: grown(['object:ID']),
    valueB: grown([
      'object:ContentAny',
      'object:Array',
      'array:(object elements)',
      'number:heap number',
    ]),
    stringsB: grown(['string']),
    tablesB: grown(['array:']),
    mapsB: grown(['object:YMap', 'object:Map', 'object:EventHandler', 'object:ContentType']),
  };
  const totalB = grown([...new Set([...after.keys(), ...before.keys()])]);
  const named = Object.values(parts).reduce((sum, bytes) => sum + bytes, 0);
  if (doc.share.size === 0) throw new Error('the board did not load');
  return { encodedB: state.byteLength / items, ...parts, otherB: totalB - named, totalB };
}

if (process.argv[2] === CHILD_FLAG) {
  const result = await runChild(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
}
