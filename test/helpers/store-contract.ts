/**
 * What every BoardStore keeps (server/storage/board-store.ts), as one suite that the SQLite and
 * the PostgreSQL tests both run: ids as aliases of a key, links reset into tombstones, deletion
 * that leaves no row in any table, and the listing the operator CLI shows.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import * as Y from 'yjs';
import { addShapes, readShapes } from '../../common/board/board-doc.ts';
import {
  BoardGoneError,
  type BoardStore,
  type StoredAsset,
} from '../../server/storage/board-store.ts';
import { rect } from './shapes.ts';

/** Direct access to the database behind a store, to check what it really holds. */
export interface StoreProbe {
  open(): Promise<BoardStore>;
  /** Every table of the store's schema, with its columns. */
  tables(): Promise<Map<string, string[]>>;
  /** `table.column` of every row, in any table, whose any column equals one of `values`. */
  rowsMentioning(values: readonly string[]): Promise<string[]>;
  /** Creates a table such as a later version might add: `board` column, one row for `key`. */
  addBoardTable(name: string, key: string): Promise<void>;
}

/** Tables that hold nothing of any one board. */
const GLOBAL_TABLES = new Set(['sqlite_sequence']);

export function shapeUpdate(id: string): Uint8Array {
  const doc = new Y.Doc();
  addShapes(doc, [rect(id)]);
  return Y.encodeStateAsUpdate(doc);
}

export function shapeIds(updates: readonly Uint8Array[]): string[] {
  const doc = new Y.Doc();
  updates.forEach((update) => Y.applyUpdate(doc, update));
  return readShapes(doc)
    .map((shape) => shape.id)
    .sort();
}

/** An asset whose bytes (a PNG signature and a label) name it apart from others. */
export function asset(label: string): StoredAsset {
  const data = new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from(label),
    ]),
  );
  return { assetId: createHash('sha256').update(data).digest('hex'), type: 'image/png', data };
}

export function storeContract(probe: StoreProbe): void {
  it('creates a board once, keyed by a key that is neither of its ids', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-retro');
    assert.ok(board);
    assert.deepEqual(await store.ensureBoard('contract-retro'), board);
    assert.notEqual(board.viewId, board.editId);
    assert.ok(![board.editId, board.viewId].includes(board.key));
    assert.deepEqual(await store.findBoard('contract-retro'), { board, role: 'edit' });
    assert.deepEqual(await store.findBoard(board.viewId), { board, role: 'view' });
    assert.deepEqual(await store.boardByKey(board.key), board);
    assert.equal(await store.findBoard(board.key), null, 'the key is no id');
    assert.equal(await store.findBoard('contract-nothing'), null);
    assert.equal(await store.ensureBoard(board.viewId), null, 'a view id never becomes a board');
  });

  it('creates a board with given ids and a state in one go, and never over a taken id', async () => {
    const store = await probe.open();
    const ids = { editId: 'contract-import-edit', viewId: 'contract-import-view' };
    const board = await store.createBoard(ids, shapeUpdate('imported'));
    assert.ok(board);
    assert.equal(board.editId, ids.editId);
    assert.deepEqual(shapeIds((await store.loadLog(board.key)).updates), ['imported']);
    assert.equal(await store.createBoard(ids, null), null);
    assert.equal(
      await store.createBoard({ editId: 'contract-fresh', viewId: ids.editId }, null),
      null,
    );
    assert.equal(await store.findBoard('contract-fresh'), null, 'nothing half-made');
    const random = await store.createBoard(null, null);
    assert.ok(random && random.editId.length >= 16 && random.viewId.length >= 16);
  });

  for (const which of ['view', 'edit'] as const) {
    it(`resets the ${which} id: the old one is a tombstone, the other id and the log stay`, async () => {
      const store = await probe.open();
      const board = await store.ensureBoard(`contract-rotate-${which}`);
      assert.ok(board);
      await store.appendUpdates(board.key, [shapeUpdate('kept')]);
      const rotated = await store.rotateId(board.key, which);
      assert.ok(rotated);
      const [old, other] =
        which === 'edit' ? (['editId', 'viewId'] as const) : (['viewId', 'editId'] as const);
      assert.notEqual(rotated[old], board[old]);
      assert.equal(rotated[other], board[other]);
      assert.equal(rotated.key, board.key);
      assert.equal(await store.findBoard(board[old]), null);
      assert.equal(await store.isRetired(board[old]), true);
      assert.equal(await store.isRetired(rotated[old]), false);
      assert.deepEqual(await store.findBoard(rotated[old]), { board: rotated, role: which });
      assert.equal(await store.ensureBoard(board[old]), null, 'a reset id never becomes a board');
      assert.equal(
        await store.createBoard({ editId: board[old], viewId: 'contract-x' }, null),
        null,
      );
      assert.deepEqual(shapeIds((await store.loadLog(board.key)).updates), ['kept']);
    });
  }

  it('deletes every row of a board in every table, and frees its ids', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-delete');
    const neighbour = await store.ensureBoard('contract-neighbour');
    assert.ok(board && neighbour);
    await store.appendUpdates(board.key, [shapeUpdate('a'), shapeUpdate('b')]);
    await store.appendUpdates(neighbour.key, [shapeUpdate('n')]);
    await store.putAsset(board.key, asset('contract-delete'));
    const reset = await store.rotateId(board.key, 'view');
    assert.ok(reset);
    const mentions = [board.key, board.editId, board.viewId, reset.viewId];
    assert.ok((await probe.rowsMentioning(mentions)).length >= 4, 'the probe sees the rows');

    assert.equal(await store.deleteBoard(board.key), true);
    assert.deepEqual(await probe.rowsMentioning(mentions), []);
    assert.equal(await store.deleteBoard(board.key), false);
    assert.equal(await store.boardByKey(board.key), null);
    assert.equal(await store.findBoard(board.editId), null);
    assert.equal(await store.isRetired(board.viewId), false, 'its tombstones went with it');
    await assert.rejects(store.appendUpdates(board.key, [shapeUpdate('late')]), BoardGoneError);
    await assert.rejects(store.putAsset(board.key, asset('late')), BoardGoneError);
    await store.replaceLog(board.key, shapeUpdate('late'));
    assert.equal(await store.rotateId(board.key, 'edit'), null);
    assert.deepEqual(await probe.rowsMentioning(mentions), [], 'late writes left nothing');
    assert.deepEqual(shapeIds((await store.loadLog(neighbour.key)).updates), ['n']);

    const again = await store.ensureBoard('contract-delete');
    assert.ok(again, 'the name can be used again');
    assert.notEqual(again.key, board.key);
    assert.deepEqual((await store.loadLog(again.key)).updates, []);
  });

  it('stores assets by board and content hash, once, and creates a board with its assets', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-assets');
    const other = await store.ensureBoard('contract-assets-other');
    assert.ok(board && other);
    const first = asset('first');
    assert.equal(await store.putAsset(board.key, first), true);
    assert.equal(await store.putAsset(board.key, first), false, 'the same bytes again');
    assert.deepEqual(await store.getAsset(board.key, first.assetId), first);
    assert.equal(await store.getAsset(other.key, first.assetId), null, 'assets are per board');
    assert.equal(await store.putAsset(other.key, first), true);
    const second = asset('second');
    await store.putAsset(board.key, second);
    assert.deepEqual(
      (await store.listAssets(board.key)).map((entry) => entry.assetId).sort(),
      [first.assetId, second.assetId].sort(),
    );
    const ids = { editId: 'contract-assets-import', viewId: 'contract-assets-import-view' };
    const imported = await store.createBoard(ids, shapeUpdate('with-image'), [second]);
    assert.ok(imported);
    assert.deepEqual(await store.listAssets(imported.key), [second]);
  });

  it('deletes the rows of a table added later, found by its `board` column', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-later-table');
    assert.ok(board);
    await probe.addBoardTable('later_feature', board.key);
    assert.equal((await probe.rowsMentioning([board.key])).length >= 2, true);
    await store.deleteBoard(board.key);
    assert.deepEqual(await probe.rowsMentioning([board.key]), []);
  });

  it('keys every table by a `board` column, so none can be left out of a delete', async () => {
    await probe.open();
    for (const [table, columns] of await probe.tables())
      if (!GLOBAL_TABLES.has(table))
        assert.ok(columns.includes('board'), `${table} has no board column: ${columns.join(', ')}`);
  });

  it('lists boards with their size and last change', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-listed');
    assert.ok(board);
    const before = (await store.listBoards()).find((entry) => entry.key === board.key);
    assert.ok(before);
    assert.equal(before.updates, 0);
    assert.equal(before.bytes, 0);
    assert.ok(Math.abs(before.lastChangeAt - Date.now()) < 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const update = shapeUpdate('listed');
    await store.appendUpdates(board.key, [update]);
    const after = (await store.listBoards()).find((entry) => entry.key === board.key);
    assert.ok(after);
    assert.deepEqual(
      { editId: after.editId, viewId: after.viewId, updates: after.updates, bytes: after.bytes },
      { editId: board.editId, viewId: board.viewId, updates: 1, bytes: update.byteLength },
    );
    assert.ok(after.lastChangeAt > before.lastChangeAt);
    assert.equal(after.createdAt, before.createdAt);
  });

  it('keeps numbered history checkpoints per board, prunes old ones, deletes them with the board', async () => {
    const store = await probe.open();
    const board = await store.ensureBoard('contract-history');
    assert.ok(board);
    const old = { at: 1_000, state: shapeUpdate('h1'), shapes: 1, names: ['Ann', 'Ann', ' Bo '] };
    assert.equal(await store.history.add(board.key, old), 1);
    const recent = { at: Date.now(), state: shapeUpdate('h2'), shapes: 1, names: [] };
    assert.equal(await store.history.add(board.key, recent), 2);
    const listed = await store.history.list(board.key);
    assert.deepEqual(
      listed.map(({ n, at, shapes, names }) => ({ n, at, shapes, names })),
      [
        { n: 2, at: recent.at, shapes: 1, names: [] },
        { n: 1, at: 1_000, shapes: 1, names: ['Ann', 'Bo'] },
      ],
    );
    assert.equal(listed[1]?.bytes, old.state.byteLength);
    const loaded = await store.history.load(board.key, 1);
    assert.ok(loaded);
    assert.deepEqual(shapeIds([loaded]), ['h1']);
    assert.equal(await store.history.load(board.key, 3), null);
    assert.equal(await store.history.prune(2_000), 1);
    assert.deepEqual(
      (await store.history.list(board.key)).map((c) => c.n),
      [2],
    );
    assert.ok(await store.deleteBoard(board.key));
    assert.deepEqual(await store.history.list(board.key), []);
    assert.equal(
      await store.history.add(board.key, recent),
      null,
      'no history for a deleted board',
    );
  });
}
