/**
 * What a room sends a joiner (room.ts join and sync step 1, board-document.ts): the state
 * vector frame and the whole-state frame are encoded once per change, so every fresh joiner
 * gets the same bytes until the board changes, and then the new state, never a stale one.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { addShapes, readShape } from '../../common/board/board-doc.ts';
import { CLOSE, type CloseCode } from '../../common/protocol/close-codes.ts';
import { MESSAGE_TYPE, SYNC_STEP } from '../../common/protocol/message-types.ts';
import { createLogger } from '../../server/log.ts';
import { createMetrics } from '../../server/metrics.ts';
import type { Peer } from '../../server/room/peer.ts';
import { RoomRegistry } from '../../server/room/room-registry.ts';
import { encodeSyncStep1 } from '../../server/room/sync-frames.ts';
import { openSqliteStore } from '../../server/storage/sqlite-store.ts';
import { rect } from '../helpers/shapes.ts';
import { tempDataDir } from '../helpers/test-server.ts';

const store = openSqliteStore(tempDataDir());
const registry = new RoomRegistry({
  store,
  log: createLogger('silent'),
  metrics: createMetrics(),
  graceMs: 60_000,
  compactAfterUpdates: 1_000,
  compactAfterBytes: 4 * 1_048_576,
});
after(async () => {
  await registry.unloadAll();
  await store.close();
});

let nextPeerId = 1;

class RecordingPeer implements Peer {
  readonly id = nextPeerId++;
  readonly role = 'edit' as const;
  readonly frames: Uint8Array[] = [];
  closed: CloseCode | null = null;
  constructor(readonly viaId: string) {}
  send(frame: Uint8Array): void {
    this.frames.push(frame);
  }
  close(close: CloseCode): void {
    this.closed = close;
  }
}

/** The payload of a sync frame of `step`, or null when `frame` is not one. */
function syncPayload(frame: Uint8Array, step: number): Uint8Array | null {
  const decoder = decoding.createDecoder(frame);
  if (decoding.readVarUint(decoder) !== MESSAGE_TYPE.SYNC) return null;
  if (decoding.readVarUint(decoder) !== step) return null;
  return decoding.readVarUint8Array(decoder);
}

const EMPTY_STATE_VECTOR = encodeSyncStep1(Y.encodeStateVector(new Y.Doc()));

describe('what a joiner is sent', () => {
  it('gives every fresh joiner the same encoded bytes until the board changes, then the new state', async () => {
    const board = await store.ensureBoard('joins');
    assert.ok(board);
    const lease = await registry.acquire(board);
    const { room } = lease;
    await room.applyServerEdit((doc) => addShapes(doc, [rect('a')]));

    const join = () => {
      const peer = new RecordingPeer(board.editId);
      room.join(peer);
      room.receive(peer, EMPTY_STATE_VECTOR);
      assert.equal(peer.closed, null);
      const [step1, step2] = [peer.frames[0], peer.frames.at(-1)];
      assert.ok(step1 && step2);
      return { peer, step1, step2 };
    };
    const first = join();
    const second = join();
    assert.equal(second.step2, first.step2, 'the same bytes, not a copy');
    assert.equal(second.step1, first.step1, 'the same state vector frame');
    const state = syncPayload(first.step2, SYNC_STEP.STEP2);
    assert.ok(state);
    assert.deepEqual(state, room.fullState(), 'fullState is the frame payload');

    await room.applyServerEdit((doc) => addShapes(doc, [rect('b')]));
    const third = join();
    assert.notEqual(third.step2, first.step2, 'encoded again after the change');
    const joiner = new Y.Doc();
    Y.applyUpdate(joiner, syncPayload(third.step2, SYNC_STEP.STEP2) ?? new Uint8Array());
    assert.ok(readShape(joiner, 'a') && readShape(joiner, 'b'), 'the joiner has the new shape');
    const vector = syncPayload(third.step1, SYNC_STEP.STEP1);
    assert.deepEqual(vector, Y.encodeStateVector(room.doc), 'the current state vector');

    for (const { peer } of [first, second, third]) room.leave(peer);
    room.closeAll(CLOSE.GONE);
    lease.release();
  });
});
