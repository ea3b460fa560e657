import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import {
  decodeAwarenessUpdate,
  DEFAULT_AWARENESS_LIMITS,
  encodeAwarenessEntries,
  type AwarenessEntry,
  type AwarenessVerdict,
} from '../../server/room/awareness-decode.ts';

const MALFORMED = CLOSE.MALFORMED.code;
const OVER_LIMIT = CLOSE.OVER_LIMIT.code;

const PRESENCE = {
  user: { name: 'Ada', color: '#f80' },
  cursor: { x: 1, y: -2.5 },
  selection: ['s1'],
};

function entriesOf(verdict: AwarenessVerdict): AwarenessEntry[] {
  assert.ok(verdict.ok, verdict.ok ? '' : verdict.detail);
  return verdict.ok ? verdict.entries : [];
}

function assertRefused(verdict: AwarenessVerdict, code: number): void {
  assert.equal(verdict.ok, false, 'the awareness update was accepted');
  if (!verdict.ok) assert.equal(verdict.close.code, code, verdict.detail);
}

/** An awareness update with raw JSON strings as states. */
function rawUpdate(states: string[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, states.length);
  states.forEach((json, i) => {
    encoding.writeVarUint(encoder, 100 + i);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, json);
  });
  return encoding.toUint8Array(encoder);
}

describe('decodeAwarenessUpdate', () => {
  it('round-trips entries through encodeAwarenessEntries', () => {
    const entries: AwarenessEntry[] = [
      { clientId: 1, clock: 3, state: PRESENCE },
      { clientId: 4_294_967_295, clock: 0, state: null },
      {
        clientId: 7,
        clock: 12,
        state: { user: { name: 'Émile 🎨', color: 'red' }, cursor: null, selection: [] },
      },
    ];
    assert.deepEqual(entriesOf(decodeAwarenessUpdate(encodeAwarenessEntries(entries))), entries);
    assert.deepEqual(entriesOf(decodeAwarenessUpdate(encodeAwarenessEntries([]))), []);
  });

  it('reads what y-protocols writes, and y-protocols reads what it encodes', () => {
    const awareness = new Awareness(new Y.Doc());
    awareness.setLocalState(PRESENCE);
    const [entry] = entriesOf(
      decodeAwarenessUpdate(encodeAwarenessUpdate(awareness, [awareness.clientID])),
    );
    assert.deepEqual(entry, { clientId: awareness.clientID, clock: 1, state: PRESENCE });
    const receiver = new Awareness(new Y.Doc());
    applyAwarenessUpdate(
      receiver,
      encodeAwarenessEntries([{ clientId: 99, clock: 2, state: PRESENCE }]),
      'test',
    );
    assert.deepEqual(receiver.getStates().get(99), PRESENCE);
    awareness.destroy();
    receiver.destroy();
  });

  it('refuses garbage, truncated and trailing bytes with 1007', () => {
    assertRefused(decodeAwarenessUpdate(new Uint8Array(0)), MALFORMED);
    assertRefused(decodeAwarenessUpdate(new Uint8Array(10).fill(0xff)), MALFORMED);
    assertRefused(decodeAwarenessUpdate(new TextEncoder().encode('{"user":1}')), MALFORMED);
    const valid = encodeAwarenessEntries([{ clientId: 1, clock: 1, state: PRESENCE }]);
    for (let length = 0; length < valid.length; length++) {
      assertRefused(decodeAwarenessUpdate(valid.subarray(0, length)), MALFORMED);
    }
    assertRefused(decodeAwarenessUpdate(new Uint8Array([...valid, 0])), MALFORMED);
  });

  it('refuses a huge entry count fast with 1007', () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 2 ** 32);
    const started = performance.now();
    assertRefused(decodeAwarenessUpdate(encoding.toUint8Array(encoder)), MALFORMED);
    assert.ok(performance.now() - started < 20);
  });

  it('refuses JSON that is not an object or null, or not JSON, with 1007', () => {
    for (const json of ['42', '"text"', '[1,2]', 'true', '{"a":', 'undefined', '']) {
      assertRefused(decodeAwarenessUpdate(rawUpdate([json])), MALFORMED);
    }
    assert.deepEqual(
      entriesOf(decodeAwarenessUpdate(rawUpdate(['{}', 'null']))).map((e) => e.state),
      [{}, null],
    );
  });

  it('refuses invalid UTF-8 in a state with 1007', () => {
    const encoder = encoding.createEncoder();
    [1, 1, 1, 2].forEach((n) => encoding.writeVarUint(encoder, n)); // one entry, 2-byte state
    encoding.writeUint8(encoder, 0xc3);
    encoding.writeUint8(encoder, 0x28);
    assertRefused(decodeAwarenessUpdate(encoding.toUint8Array(encoder)), MALFORMED);
  });

  it('refuses more entries than the limit with 1008', () => {
    const max = DEFAULT_AWARENESS_LIMITS.maxEntries;
    const states = Array.from({ length: max + 1 }, () => '{}');
    assertRefused(decodeAwarenessUpdate(rawUpdate(states)), OVER_LIMIT);
    assert.equal(entriesOf(decodeAwarenessUpdate(rawUpdate(states.slice(1)))).length, max);
    assertRefused(
      decodeAwarenessUpdate(rawUpdate(['{}', '{}']), { maxEntries: 1, maxStateBytes: 100 }),
      OVER_LIMIT,
    );
  });

  it('refuses a state bigger than the limit with 1008', () => {
    const max = DEFAULT_AWARENESS_LIMITS.maxStateBytes;
    const json = (name: string) => JSON.stringify({ user: { name, color: '' } });
    const state = (bytes: number) => json('x'.repeat(bytes - json('').length));
    assert.equal(state(max).length, max);
    assert.equal(entriesOf(decodeAwarenessUpdate(rawUpdate([state(max)]))).length, 1);
    assertRefused(decodeAwarenessUpdate(rawUpdate([state(max + 1)])), OVER_LIMIT);
  });
});
