import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import type { CloseCode } from '../../common/protocol/close-codes.ts';
import type { Peer } from '../../server/room/peer.ts';
import { REMOTE_PRESENCE_TIMEOUT_MS, RoomPresence } from '../../server/room/room-presence.ts';
import {
  decodeAwarenessUpdate,
  encodeAwarenessEntries,
  type AwarenessEntry,
} from '../../server/room/awareness-decode.ts';
import { encodeAwarenessFrame } from '../../server/room/sync-frames.ts';

const peer = (id: number): Peer => ({
  id,
  role: 'edit',
  viaId: 'board',
  send: () => undefined,
  close: (_close: CloseCode) => undefined,
});
const entry = (clientId: number, clock: number, name: string | null): AwarenessEntry => ({
  clientId,
  clock,
  state: name === null ? null : { user: { name } },
});
const frameOf = (...entries: AwarenessEntry[]) =>
  encodeAwarenessFrame(encodeAwarenessEntries(entries));

function idsIn(frame: Uint8Array | null): number[] {
  if (!frame) return [];
  const decoder = decoding.createDecoder(frame);
  decoding.readVarUint(decoder);
  const decoded = decodeAwarenessUpdate(decoding.readVarUint8Array(decoder), {
    maxEntries: 1000,
    maxParsedStateBytes: 4096,
  });
  assert.ok(decoded.ok);
  return decoded.entries.map((item) => item.clientId).sort();
}

describe('presence from other instances', () => {
  it('is relayed and shown to joiners, but never the entries for ids owned here', () => {
    const presence = new RoomPresence(() => undefined);
    assert.deepEqual(presence.apply(peer(1), [entry(10, 1, 'local')]), { foreign: 0, overIds: 0 });
    const relayed = presence.applyRemote(frameOf(entry(10, 5, 'hijack'), entry(20, 1, 'remote')));
    assert.deepEqual(idsIn(relayed), [20]);
    assert.deepEqual(idsIn(presence.encodeAll()), [10, 20]);
    assert.deepEqual(idsIn(presence.encodeAll(false)), [10]);
  });

  it('cannot be claimed by a local peer while it is renewed, and can once it timed out', (t) => {
    let now = 1_000_000;
    t.mock.method(Date, 'now', () => now);
    const presence = new RoomPresence(() => undefined);
    presence.applyRemote(frameOf(entry(20, 1, 'remote')));
    assert.deepEqual(presence.apply(peer(1), [entry(20, 2, 'spoof')]), { foreign: 1, overIds: 0 });
    now += REMOTE_PRESENCE_TIMEOUT_MS + 1;
    assert.equal(presence.encodeAll(), null, 'a stale remote state is forgotten');
    assert.deepEqual(presence.apply(peer(1), [entry(20, 3, 'back')]), { foreign: 0, overIds: 0 });
  });

  it('is forgotten when its owner removes it', () => {
    const presence = new RoomPresence(() => undefined);
    presence.applyRemote(frameOf(entry(20, 1, 'remote')));
    assert.deepEqual(idsIn(presence.applyRemote(frameOf(entry(20, 2, null)))), [20]);
    assert.equal(presence.encodeAll(), null);
  });
});
